package layers

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseException: the exception reader of tile answers never panics,
// and what it returns is bounded, valid UTF-8 on one line.
func FuzzParseException(f *testing.F) {
	for _, tt := range exceptionTests {
		f.Add([]byte(tt.body))
	}
	f.Add([]byte("\xFE\xFF\x00<\x00S"))
	f.Add([]byte(`<ExceptionReport><Exception exceptionCode="a"><ExceptionText>` + strings.Repeat("x ", 600) + `</ExceptionText></Exception></ExceptionReport>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		exc, ok := serviceException(body)
		if !ok {
			return
		}
		if len(exc.Message) > 600 || strings.ContainsAny(exc.Message, "\n\r") || !utf8.ValidString(exc.Message) {
			t.Fatalf("serviceException(%q).Message = %q: want at most 600 bytes of valid UTF-8 on one line", body, exc.Message)
		}
	})
}

package layers

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

var retryAfterTests = []struct {
	in     string
	want   time.Duration
	wantOK bool
}{
	{"", 0, false},
	{"3", 3 * time.Second, true},
	{" 0 ", 0, true},
	{"-1", 0, false},
	{"99999999999999999999", 0, false},
	{"600", 600 * time.Second, true},
	{"100000", 100000 * time.Second, true},
	{"99999999999", maxRetryAfter, true},
	{"Sun, 01 Mar 2026 12:00:07 GMT", 7 * time.Second, true},
	{"Sun, 01 Mar 2026 11:00:00 GMT", 0, true}, // in the past
	{"soon", 0, false},
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range retryAfterTests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, tt := range retryAfterTests {
		f.Add(tt.in)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseRetryAfter(s, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", s, d, ok)
		}
		e := &Engine{opt: Options{Clock: func() time.Time { return now }}}
		if got := e.retryDelay(3, http.Header{"Retry-After": {s}}); got < 0 || got > maxRetryDelay {
			t.Fatalf("retryDelay with %q = %v", s, got)
		}
	})
}

var sniffTests = []struct {
	body string
	want string
}{
	{"\x89PNG\r\n\x1a\nrest", "png"},
	{"\xFF\xD8\xFF\xE0", "jpeg"},
	{"GIF89a", "gif"},
	{"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"},
	{"<?xml", ""},
	{"", ""},
}

func TestSniffImage(t *testing.T) {
	for _, tt := range sniffTests {
		if got := sniffImage([]byte(tt.body)); got != tt.want {
			t.Errorf("sniffImage(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

var exceptionTests = []struct {
	body     string
	wantOK   bool
	wantCode string
	wantMsg  string
}{
	{`<ServiceExceptionReport><ServiceException code="InvalidCRS">bad  crs</ServiceException></ServiceExceptionReport>`, true, "InvalidCRS", "bad crs"},
	{"\xEF\xBB\xBF  <?xml version=\"1.0\"?><ows:ExceptionReport xmlns:ows=\"http://www.opengis.net/ows/1.1\"><ows:Exception exceptionCode=\"NoApplicableCode\"><ows:ExceptionText>boom</ows:ExceptionText></ows:Exception></ows:ExceptionReport>", true, "NoApplicableCode", "boom"},
	{`<ServiceExceptionReport><ServiceException code="X"/></ServiceExceptionReport>`, true, "X", "service exception X"},
	{`<ServiceExceptionReport><ServiceException>see http://u:p@h.example/?token=abc</ServiceException></ServiceExceptionReport>`, true, "", "see http://"},
	{`<html><body>no</body></html>`, false, "", ""},
	{"\x89PNG", false, "", ""},
	{"", false, "", ""},
}

func TestServiceException(t *testing.T) {
	for _, tt := range exceptionTests {
		exc, ok := serviceException([]byte(tt.body))
		if ok != tt.wantOK {
			t.Errorf("serviceException(%q) ok = %v, want %v", tt.body, ok, tt.wantOK)
			continue
		}
		if !ok {
			continue
		}
		if exc.Code != tt.wantCode || !strings.HasPrefix(exc.Message, tt.wantMsg) {
			t.Errorf("serviceException(%q) = %q %q, want %q %q...", tt.body, exc.Code, exc.Message, tt.wantCode, tt.wantMsg)
		}
		if strings.Contains(exc.Message, "abc") || strings.Contains(exc.Message, "u:p") {
			t.Errorf("serviceException(%q) message %q leaks a secret", tt.body, exc.Message)
		}
	}
}

func TestCleanReason(t *testing.T) {
	long := strings.Repeat("é", 200)
	tests := []struct{ in, want string }{
		{"  a \n\t b ", "a b"},
		{long, long[:240] + "…"},
		{"x (https://h.example/a?password=hunter2)", "x " + redact("https://h.example/a?password=hunter2")},
	}
	for _, tt := range tests {
		if got := cleanReason(tt.in); got != tt.want {
			t.Errorf("cleanReason(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

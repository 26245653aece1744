package layers

import (
	"context"
	"encoding/base64"
	"html"
	"image/color"
	"net/http"
	"testing"

	"mapvault/layers/internal/leaktest"
)

// TestHostileTileReasons: a GetMap answer that echoes the key (an exception,
// a Content-Type header) gives a Reason without it.
func TestHostileTileReasons(t *testing.T) {
	tests := []struct {
		name  string
		ctype string
		body  string
	}{
		{"exception", "application/vnd.ogc.se_xml", `<ServiceExceptionReport><ServiceException>` + html.EscapeString(leaktest.Echo()) + `</ServiceException></ServiceExceptionReport>`},
		{"content type", "text/plain; key=" + leaktest.Key + "; b64=" + base64.StdEncoding.EncodeToString([]byte(leaktest.Key)), "no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWMS(t, map[string]color.NRGBA{"a": red})
			f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header()["Content-Type"] = []string{tt.ctype}
				w.Write([]byte(tt.body))
				return true
			})
			e := NewEngine(leaktest.Client(t, f.srv.URL+"/wms"), Options{})
			states := e.Fetch(context.Background(), testView, []LayerSpec{f.spec("A", "a")}, nil)
			s := states["A"]
			if s.Kind != StateError || s.Reason == "" {
				t.Fatalf("state = %v, want an error with a reason", s)
			}
			leaktest.NoLeak(t, "Reason", s.Reason)
		})
	}
}

package features

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"mapvault/layers"
	"mapvault/project"
	"mapvault/vault/vaulttest"
)

// TestMapServerNextLinks pages the CI MapServer's countries 10 at a time:
// at /features/ogcapi openly, at /keyfeatures/ogcapi with ?key=, whose
// next links carry no key (the transport attaches it again under the
// prefix). Without the key the layer is blocked.
func TestMapServerNextLinks(t *testing.T) {
	ms := vaulttest.RequireMapServer(t)
	for _, c := range []struct{ path, key string }{{"/features/ogcapi", ""}, {"/keyfeatures/ogcapi", ms.Key}} {
		t.Run(c.path, func(t *testing.T) {
			l := project.Layer{ID: "c", Kind: project.KindFeatures, Source: ms.URL + c.path, Opacity: 1, Visible: true}
			l.Features.Collection = "countries"
			src, err := Kind{}.Source(l)
			if err != nil || !strings.HasSuffix(string(src), c.path+"/") {
				t.Fatalf("Source = %q, %v", src, err)
			}
			client := keyedClient(src, c.key)
			if c.key == "" {
				client = &http.Client{Timeout: 30 * time.Second}
			}
			st := render(t, client, Kind{PageSize: 10}, l)
			if st.Kind != layers.StateOK {
				t.Fatalf("state = %v", st)
			}
		})
	}
	l := project.Layer{ID: "c", Kind: project.KindFeatures, Source: ms.URL + "/keyfeatures/ogcapi", Opacity: 1, Visible: true}
	l.Features.Collection = "countries"
	src, _ := Kind{}.Source(l)
	cat := layers.NewCatalog(keyedClient(src, "wrong-key-0000"), layers.NewRegistry(Kind{}), nil)
	if _, err := cat.Spec(t.Context(), l); err == nil {
		t.Errorf("a wrong key resolved the layer")
	}
}

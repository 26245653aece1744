package wfs

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"mapvault/layers"
	"mapvault/layers/vector"
	"mapvault/project"
	"mapvault/vault"
	"mapvault/vault/vaulttest"
)

// TestMapServerWFSEngine draws ms:countries of the CI MapServer through a
// real Engine: /public/wfs openly, /key/wfs with authkey from the
// transport, paged by 50 (numberMatched 177 at zoom 0), and with a view
// bound of 100 the layer's state says "zoom in to see features" after one
// GetFeature per fetch tile.
func TestMapServerWFSEngine(t *testing.T) {
	ms := vaulttest.RequireMapServer(t)
	draw := func(t *testing.T, path string, client *http.Client, k Kind) layers.State {
		t.Helper()
		l := project.Layer{ID: "c", Kind: project.KindWFS, Source: ms.URL + path, Opacity: 1, Visible: true}
		l.WFS.TypeName = "ms:countries"
		cat := layers.NewCatalog(client, layers.NewRegistry(k), nil)
		spec, err := cat.Spec(context.Background(), l)
		if err != nil {
			t.Fatal(err)
		}
		e := layers.NewEngine(client, layers.Options{})
		_, states, st := e.Render(context.Background(), layers.View{Zoom: 1, Width: 512, Height: 512}, []layers.LayerSpec{spec}, nil)
		t.Logf("%s: %v, %d requests", path, states["c"], st.Requests)
		return states["c"]
	}
	plain := &http.Client{Timeout: 30 * time.Second}
	if st := draw(t, "/public/wfs", plain, Kind{PageSize: 50}); st.Kind != layers.StateOK {
		t.Errorf("public: state %v", st)
	}
	src, _ := Kind{}.Source(project.Layer{Source: ms.URL + "/key/wfs"})
	store, kv := vault.NewStore(), vault.NewKeyVault()
	store.Set(src, vault.Credential{Key: ms.Key})
	kv.Set(src, vault.Entry{AuthRequired: true, Method: vault.MethodQuery, Param: "authkey"})
	keyed := vault.NewClient(store, kv, vault.TransportOptions{})
	if st := draw(t, "/key/wfs", keyed, Kind{PageSize: 50}); st.Kind != layers.StateOK {
		t.Errorf("key: state %v", st)
	}
	st := draw(t, "/public/wfs", plain, Kind{Options: vector.Options{MaxFeaturesPerView: 100}})
	if st.Kind == layers.StateOK || !strings.Contains(st.Reason, "zoom in to see features") {
		t.Errorf("bounded: state %v, want zoom in", st)
	}
}

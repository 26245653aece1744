package kinds

import (
	"testing"

	"mapvault/project"
)

func TestDefault(t *testing.T) {
	reg := Default()
	for _, k := range []project.Kind{project.KindWMS, project.KindXYZ} {
		kind, err := reg.Lookup(k)
		if err != nil || kind.Name() != k {
			t.Errorf("Lookup(%s) = %v, %v", k, kind, err)
		}
	}
	for _, k := range reg.Kinds() {
		if !k.Name().Known() {
			t.Errorf("kind %q is not a kind the project format knows", k.Name())
		}
	}
	// A second registry is independent (no shared state).
	if a, b := Default(), Default(); a == b {
		t.Error("Default returned the same registry twice")
	}
}

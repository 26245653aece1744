package project

import (
	"runtime"
	"testing"
)

func TestResolve(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("paths in the table are POSIX paths")
	}
	tests := []struct {
		dir, ref, want string
	}{
		{"/srv/proj", "https://maps.example.org/wms?map=x", "https://maps.example.org/wms?map=x"},
		{"/srv/proj", "HTTP://maps.example.org/wms", "HTTP://maps.example.org/wms"},
		{"/srv/proj", "pmtiles://tiles.example/x", "pmtiles://tiles.example/x"},
		{"/srv/proj", "data/dikes.geojson", "/srv/proj/data/dikes.geojson"},
		{"/srv/proj", "./dikes.geojson", "/srv/proj/dikes.geojson"},
		{"/srv/proj", "../shared/dikes.geojson", "/srv/shared/dikes.geojson"},
		{"/srv/proj", "/abs/dikes.geojson", "/abs/dikes.geojson"},
		{"/srv/proj", "file:data/dikes.geojson", "/srv/proj/data/dikes.geojson"},
		{"/srv/proj", "file:///abs/my%20dikes.geojson", "/abs/my dikes.geojson"},
		{"/srv/proj", "file://localhost/abs/d.geojson", "/abs/d.geojson"},
		{"/srv/proj", "FILE:///abs/d.geojson", "/abs/d.geojson"},
		{"/srv/proj", "file://fileserver/share/d.geojson", "file://fileserver/share/d.geojson"},
		{"/srv/proj", "a:b.json", "/srv/proj/a:b.json"}, // one letter: a drive, not a scheme
		{"/srv/proj", "", ""},
		{"", "data/dikes.geojson", "data/dikes.geojson"},
		{"", "https://x.example/", "https://x.example/"},
	}
	for _, tt := range tests {
		p := New("t")
		p.SetDir(tt.dir)
		if got := p.Resolve(tt.ref); got != tt.want {
			t.Errorf("Resolve(%q) in %q = %q, want %q", tt.ref, tt.dir, got, tt.want)
		}
	}
}

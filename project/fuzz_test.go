package project

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: Parse never panics, and whatever it accepts survives
// Marshal -> Parse -> Marshal unchanged.
func FuzzParse(f *testing.F) {
	for _, tt := range goodTests {
		f.Add([]byte(tt.in))
	}
	for _, tt := range badTests {
		f.Add([]byte(tt.in))
	}
	for _, name := range []string{"example.mapvault.json", filepath.Join("v1", "example.mapvault.json")} {
		if data, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(data)
		}
	}
	for _, tt := range wmsDimensionTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, data)
	})
}

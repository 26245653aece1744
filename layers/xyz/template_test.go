package xyz

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	good := []struct {
		in          string
		z, x, y     int
		sub         string
		retina      bool
		want        string
		hasS, hiDPI bool
	}{
		{"https://tile.example.org/{z}/{x}/{y}.png", 3, 4, 5, "", false, "https://tile.example.org/3/4/5.png", false, false},
		{"https://tile.example.org/{z}/{x}/{-y}.png", 3, 4, 5, "", false, "https://tile.example.org/3/4/2.png", false, false},
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", 0, 0, 0, "b", false, "https://b.tile.example.org/0/0/0.png", true, false},
		{"https://t.example.org/v3/{z}/{x}/{y}{r}.png?key=abc", 1, 1, 0, "", true, "https://t.example.org/v3/1/1/0@2x.png?key=abc", false, false},
		{"https://t.example.org/v3/{z}/{x}/{y}{r}.png", 1, 1, 0, "", false, "https://t.example.org/v3/1/1/0.png", false, false},
		{"https://t.example.org/{z}/{x}/{y}@2x.png", 2, 3, 1, "", false, "https://t.example.org/2/3/1@2x.png", false, true},
		{"http://t{s}.example.cn/img_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}", 4, 9, 7, "3", false, "http://t3.example.cn/img_w/wmts?TILEMATRIX=4&TILEROW=7&TILECOL=9", true, false},
		{"https://services.example.com/arcgis/rest/services/X/MapServer/tile/{z}/{y}/{x}", 5, 17, 11, "", false, "https://services.example.com/arcgis/rest/services/X/MapServer/tile/5/11/17", false, false},
	}
	for _, tt := range good {
		tm, err := ParseTemplate(tt.in)
		if err != nil {
			t.Errorf("ParseTemplate(%q) error = %v", tt.in, err)
			continue
		}
		if got := tm.URL(tt.z, tt.x, tt.y, tt.sub, tt.retina); got != tt.want {
			t.Errorf("ParseTemplate(%q).URL(%d, %d, %d, %q, %v) = %q, want %q", tt.in, tt.z, tt.x, tt.y, tt.sub, tt.retina, got, tt.want)
		}
		if tm.HasSubdomain() != tt.hasS || tm.hiDPI != tt.hiDPI || tm.String() != tt.in {
			t.Errorf("ParseTemplate(%q): {s} %v @2x %v, want %v %v", tt.in, tm.HasSubdomain(), tm.hiDPI, tt.hasS, tt.hiDPI)
		}
	}
	bad := []struct {
		in, msg string
	}{
		{"https://tile.example.org/wms", "not a tile URL template"},
		{"https://tile.example.org/{z}/{x}.png", "not a tile URL template"},
		{"https://tile.example.org/{z}/{x}/{y}/{-y}.png", "not a tile URL template"},
		{"https://api.example.com/styles/{id}/{z}/{x}/{y}?access_token={accessToken}", "unknown placeholder {id}"},
		{"https://tile.example.org/{z}/{x}/{y.png", "'{' without '}'"},
		{"https://tile.example.org/z}/{x}/{y}.png", "'}' without '{'"},
		{"ftp://tile.example.org/{z}/{x}/{y}.png", "not an http(s) URL"},
		{"{z}/{x}/{y}.png", "not an http(s) URL"},
		{"https://{z}.tile.example.org/{x}/{y}.png", "only {s} may stand in the host"},
	}
	for _, tt := range bad {
		_, err := ParseTemplate(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseTemplate(%q) error = %v, want one saying %q", tt.in, err, tt.msg)
		}
	}
	if _, err := ParseTemplate("https://h/x"); !errors.Is(err, ErrNotTemplate) {
		t.Errorf("ParseTemplate(no placeholders) error = %v, want ErrNotTemplate", err)
	}
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"https://{s}.t.example/{z}/{x}/{-y}{r}.png?key=1", "https://t/{z}/{x}/{y}", "{", "}", "https://t/{{z}}/{x}/{y}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tm, err := ParseTemplate(raw)
		if err != nil {
			return
		}
		u := tm.URL(3, 2, 1, "a", true)
		if strings.ContainsAny(u, "{}") {
			t.Fatalf("URL of %q = %q keeps a brace", raw, u)
		}
		if _, err := (Kind{}).Source(projectLayer(raw)); err != nil {
			t.Fatalf("Source of a parsed template %q: %v", raw, err)
		}
	})
}

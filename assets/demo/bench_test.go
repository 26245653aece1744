package demo

import (
	"bytes"
	"image/png"
	"net/url"
	"testing"
	"time"
)

// benchTile is the 256x256 EPSG:3857 tile z=3 x=4 y=2 (central Europe).
const benchTile = "0,5009377.085697311,5009377.085697311,10018754.171394622"

func benchRequest(b *testing.B, path, layers, bbox string) *mapRequest {
	b.Helper()
	e := testEndpoint(b, path)
	q, _ := url.ParseQuery("VERSION=1.3.0&STYLES=&CRS=EPSG:3857&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE")
	q.Set("LAYERS", layers)
	q.Set("BBOX", bbox)
	req, err := parseGetMap(e, paramsOf(q))
	if err != nil {
		b.Fatal(err)
	}
	return req
}

func BenchmarkRenderTile(b *testing.B) {
	world := "-20037508.34,-20037508.34,20037508.34,20037508.34"
	for _, bc := range []struct{ name, path, layers, bbox string }{
		{"land/europe", PublicPath, "land", benchTile},
		{"countries/europe", BasicPath, "countries", benchTile},
		{"borders/europe", KeyPath, "borders", benchTile},
		{"land+countries/world", PublicPath, "land,countries", world},
		{"countries/world", BasicPath, "countries", world},
	} {
		req := benchRequest(b, bc.path, bc.layers, bc.bbox)
		b.Run(bc.name, func(b *testing.B) {
			start := processCPU()
			for b.Loop() {
				renderMap(req)
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkGetMapTile includes the PNG encoding the server does.
func BenchmarkGetMapTile(b *testing.B) {
	req := benchRequest(b, BasicPath, "countries", benchTile)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}
	start := processCPU()
	for b.Loop() {
		buf.Reset()
		if err := enc.Encode(&buf, renderMap(req)); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// reportCPU adds the process CPU time per op since start as cpu-ns/op.
func reportCPU(b *testing.B, start time.Duration) {
	b.Helper()
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

package layers

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"mapvault/layers/internal/leaktest"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// bombPNG returns a small PNG whose header declares a w x h image of
// 16-bit RGBA (8 bytes a pixel) and whose data, all zeros, compresses
// ~1000:1: a 4096x4096 one is ~130 KB and decodes to 128 MiB.
func bombPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		out.Write(n[:])
		out.WriteString(typ)
		out.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.BigEndian.PutUint32(n[:], crc.Sum32())
		out.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 6 // bit depth 16, colour type RGBA
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]byte, 1+8*w) // filter byte 0, then zero pixels
	for range h {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

var (
	bombOnce sync.Once
	bomb     []byte
)

func bomb4096(t testing.TB) []byte {
	bombOnce.Do(func() { bomb = bombPNG(t, 4096, 4096) })
	return bomb
}

func TestBombPNGDeclares(t *testing.T) {
	cfg, err := png.DecodeConfig(bytes.NewReader(bombPNG(t, 300, 200)))
	if err != nil || cfg.Width != 300 || cfg.Height != 200 || cfg.ColorModel != color.NRGBA64Model {
		t.Fatalf("DecodeConfig(bomb) = %+v, %v, want 300x200 NRGBA64", cfg, err)
	}
	if _, err := png.Decode(bytes.NewReader(bombPNG(t, 300, 200))); err != nil {
		t.Fatalf("Decode(bomb) error: %v, want a valid image", err)
	}
}

// TestFetchRefusesOversizedTile: a ~130 KB tile declaring 4096x4096 16-bit
// pixels is refused from its header, without decoding: a 3x3-tile frame
// with six requests in flight costs kilobytes, not 6 x 128 MiB.
func TestFetchRefusesOversizedTile(t *testing.T) {
	body := bomb4096(t)
	f := newFakeWMS(t, nil)
	f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Content-Type", "image/png")
		w.Write(body)
		return true
	})
	e := NewEngine(f.srv.Client(), Options{MaxBodyBytes: 1 << 20})
	tiles := len(TilesForView(testView))
	var states map[string]State
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	peak, _ := leaktest.HeapPeak(func() { states = e.Fetch(context.Background(), testView, []LayerSpec{f.spec("A", "a")}, nil) })
	runtime.ReadMemStats(&ms1)
	allocated := ms1.TotalAlloc - ms0.TotalAlloc
	t.Logf("%d tiles of %d bytes each: %d bytes allocated, peak heap +%d", tiles, len(body), allocated, peak)
	got := states["A"]
	if got.Kind != StateError || got.Failed != tiles || !strings.HasPrefix(got.Reason, "tile response too large: the server sent 4096x4096 pixels for 256x256") {
		t.Errorf("state = %v, want every tile failed as too large", got)
	}
	if limit := uint64(32 << 20); allocated > limit || peak > limit {
		t.Errorf("fetching %d oversized tiles allocated %d bytes (peak +%d), want at most %d", tiles, allocated, peak, limit)
	}
}

// TestFetchTileSizes: a tile of exactly the requested size is decoded
// whatever its depth; a smaller one is scaled; one pixel more is refused.
func TestFetchTileSizes(t *testing.T) {
	tests := []struct {
		w, h int
		want StateKind
	}{
		{256, 256, StateOK},
		{128, 128, StateOK},
		{257, 256, StateError},
		{256, 257, StateError},
	}
	for _, tt := range tests {
		body := bombPNG(t, tt.w, tt.h)
		f := newFakeWMS(t, nil)
		f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.Header().Set("Content-Type", "image/png")
			w.Write(body)
			return true
		})
		e := NewEngine(f.srv.Client(), Options{})
		one := View{CenterLon: 10, CenterLat: 50, Zoom: 5, Width: 10, Height: 10}
		if got := e.Fetch(context.Background(), one, []LayerSpec{f.spec("A", "a")}, nil)["A"]; got.Kind != tt.want {
			t.Errorf("%dx%d 16-bit tile for 256x256: state %v, want %v", tt.w, tt.h, got, tt.want)
		}
	}
}

// TestFetchDecodeBudget: with room for one tile's decode, six requests in
// flight decode one at a time, and a budget smaller than one tile still
// lets every tile through.
func TestFetchDecodeBudget(t *testing.T) {
	body := bombPNG(t, 256, 256)
	cost := decodeCost(image.Config{Width: 256, Height: 256, ColorModel: color.NRGBA64Model}, request{raster: TileRequest{Width: 256, Height: 256}})
	for _, budget := range []int64{cost, cost / 3} {
		f := newFakeWMS(t, nil)
		f.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.Header().Set("Content-Type", "image/png")
			w.Write(body)
			return true
		})
		e := NewEngine(f.srv.Client(), Options{DecodeBytes: budget})
		tiles := len(TilesForView(testView))
		got := e.Fetch(context.Background(), testView, []LayerSpec{f.spec("A", "a")}, nil)["A"]
		if got.Kind != StateOK || got.Done != tiles {
			t.Errorf("budget %d: state %v, want ok with %d tiles", budget, got, tiles)
		}
		if held := e.decode.maxHeld(); held > budget {
			t.Errorf("budget %d: %d bytes held at once", budget, held)
		}
	}
}

func TestByteBudget(t *testing.T) {
	b := newByteBudget(100)
	ctx := context.Background()
	if n, err := b.acquire(ctx, 1000); n != 100 || err != nil {
		t.Fatalf("acquire(1000) of 100 = %d, %v, want the whole budget", n, err)
	}
	// A waiter gives up: nothing is leaked.
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	if _, err := b.acquire(cctx, 10); err == nil {
		t.Fatal("acquire on a full budget returned before its context ended")
	}
	cancel()
	// Waiters are served in order once there is room.
	order := make(chan int64, 2)
	var wg sync.WaitGroup
	for _, n := range []int64{60, 50} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, _ := b.acquire(ctx, n)
			order <- got
		}()
		time.Sleep(10 * time.Millisecond) // queue 60 before 50
	}
	b.release(100)
	if first := <-order; first != 60 {
		t.Errorf("first granted %d, want 60 (the oldest waiter)", first)
	}
	b.release(60)
	wg.Wait()
	b.release(<-order)
	if b.used != 0 || b.waiters.Len() != 0 {
		t.Errorf("after releasing all: used %d, %d waiters, want 0, 0", b.used, b.waiters.Len())
	}
	if b.maxHeld() != 100 {
		t.Errorf("maxHeld = %d, want 100", b.maxHeld())
	}
}

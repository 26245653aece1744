package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mapvault/assets/demo"
	"mapvault/project"
	"mapvault/vault"
)

// Eight adds at once to one project, each from its own server (so each
// also records its own KeyVault entry), lose nothing: every add that exits
// 0 has its layer in the project and its source in the KeyVault, and one
// that does not says why and claims nothing.
func TestConcurrentAddsLoseNothing(t *testing.T) {
	const n = 8
	dir := t.TempDir()
	path := filepath.Join(dir, "flood.mapvault.json")
	bases := make([]string, n)
	for i := range bases {
		bases[i] = demoServer(t)
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			url := bases[i] + demo.KeyPath + "?authkey=" + demo.AccessKey
			results[i] = cli(t, call{args: []string{"add", path, url, "--layers", "borders", "--name", fmt.Sprintf("Borders %d", i)}})
		})
	}
	wg.Wait()

	p := loadProject(t, path)
	kv := loadVault(t, path)
	byName := map[string]bool{}
	for _, l := range p.Layers {
		byName[l.Name] = true
	}
	ok := 0
	for i, r := range results {
		name := fmt.Sprintf("Borders %d", i)
		src, _ := vault.SourceOf(bases[i] + demo.KeyPath)
		_, inVault := kv.Get(src)
		switch {
		case r.code == exitOK:
			ok++
			if !byName[name] {
				t.Errorf("add %d exited 0 but its layer %q is not in the project (lost update)\nstdout: %s", i, name, r.out)
			}
			if !inVault {
				t.Errorf("add %d exited 0 but its source %s is not in the KeyVault (lost update)", i, src)
			}
		case strings.Contains(r.err, "try again"):
			if byName[name] || strings.Contains(r.out, "added") || strings.Contains(r.out, "saved") {
				t.Errorf("add %d failed but claimed or saved its layer: stdout %q", i, r.out)
			}
		default:
			t.Errorf("add %d: exit %d, stderr %q; want 0, or a clear \"try again\"", i, r.code, r.err)
		}
	}
	t.Logf("%d of %d adds succeeded; the project has %d layers, the KeyVault %d sources", ok, n, len(p.Layers), len(kv.Sources()))
	if len(p.Layers) != ok || len(kv.Sources()) != ok {
		t.Errorf("project has %d layers and the KeyVault %d sources, want %d each (one per successful add)", len(p.Layers), len(kv.Sources()), ok)
	}
	if ok != n {
		t.Errorf("%d of %d adds succeeded; with the lock held only around load and save, all should", ok, n)
	}
}

// An add that cannot get the project's lock (another mapvault holds it for
// longer than add waits) fails with a clear line and claims nothing.
func TestAddWhileLockedFails(t *testing.T) {
	base := demoServer(t)
	dir := t.TempDir()
	path := saveProject(t, dir, "flood.mapvault.json", project.New("flood"))
	before := readFile(t, path)
	lock, err := project.Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()

	// The wait for the lock ends with the context (LockWait is 10 s).
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"add", path, base + demo.KeyPath, "--layers", "borders"},
		stdio{in: strings.NewReader(demo.AccessKey + "\n"), out: &out, err: &errb}, func(string) string { return "" })
	r := result{code: code, out: out.String(), err: errb.String()}
	wantCode(t, r, exitFailure, "add while locked")
	if want := "mapvault-cli: another mapvault is editing " + path + "; try again\n"; r.err != want {
		t.Errorf("stderr %q, want %q", r.err, want)
	}
	if r.out != "" {
		t.Errorf("stdout %q, want nothing claimed", r.out)
	}
	if got := readFile(t, path); !bytes.Equal(got, before) {
		t.Errorf("the project changed:\n%s", got)
	}
	assertAbsent(t, vault.SidecarPath(path))
}

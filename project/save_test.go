package project

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sampleProject(t *testing.T) *Project {
	t.Helper()
	p := New("Sample")
	p.AddLayer(Layer{Name: "Roads", Source: "https://maps.example.org/wms", WMS: WMS{Layers: []string{"roads"}}, Opacity: 1, Visible: true})
	return p
}

// assertOnly fails unless dir holds exactly the named entries (no temp files).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("folder holds %q, want %q", got, names)
	}
}

func TestSaveNewFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.mapvault.json")
	p := sampleProject(t)
	if err := Save(path, p); err != nil {
		t.Fatalf("Save() error = %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o644 {
		t.Errorf("new file mode = %v, want 0644", got)
	}
	want, _ := p.Marshal()
	got, _ := os.ReadFile(path)
	if string(got) != string(want) {
		t.Errorf("file holds\n%s\nwant\n%s", got, want)
	}
	q, err := Load(path)
	if err != nil {
		t.Fatalf("Load(saved) error = %v", err)
	}
	if q.Title != p.Title || len(q.Layers) != 1 || q.Layers[0].ID != "roads" || q.Dir() != dir {
		t.Errorf("Load(saved) = %+v (dir %q), want the saved project in %q", q, q.Dir(), dir)
	}
	assertOnly(t, dir, "p.mapvault.json")
}

func TestSaveReplacesProjectKeepingMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	if err := os.WriteFile(path, []byte(`{"format":"mapvault-project","version":1,"title":"old"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	p := sampleProject(t)
	if err := Save(path, p); err != nil {
		t.Fatalf("Save() over a project error = %v", err)
	}
	fi, _ := os.Stat(path)
	if got := fi.Mode().Perm(); got != 0o640 {
		t.Errorf("replaced file mode = %v, want 0640 (kept)", got)
	}
	q, err := Load(path)
	if err != nil || q.Title != "Sample" {
		t.Errorf("Load(replaced) = %+v, %v; want title Sample", q, err)
	}
	assertOnly(t, dir, "p.json")
}

func TestSaveRefusesToReplace(t *testing.T) {
	tests := []struct {
		name   string
		old    string
		target error // besides ErrCorruptTarget
	}{
		{"corrupt", `{"format":"mapvault-project","version":1,"title":`, nil},
		{"foreign JSON", `{"type":"FeatureCollection","features":[]}`, ErrNotProject},
		{"not JSON", "id,name\n1,roads\n", nil},
		{"newer version", `{"format":"mapvault-project","version":3}`, ErrNewerVersion},
		{"empty", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "p.json")
			if err := os.WriteFile(path, []byte(tt.old), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Save(path, sampleProject(t))
			if !errors.Is(err, ErrCorruptTarget) {
				t.Fatalf("Save() over %s error = %v, want ErrCorruptTarget", tt.name, err)
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("Save() error = %v, want it to wrap %v", err, tt.target)
			}
			var se *SyntaxError
			var ve *VersionError
			if !errors.As(err, &se) && !errors.As(err, &ve) {
				t.Errorf("Save() error = %v, want it to wrap the parse error", err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.old {
				t.Errorf("target now holds %q, want it untouched: %q", got, tt.old)
			}
			assertOnly(t, dir, "p.json")
		})
	}
}

func TestSaveRefusesInvalidProject(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	p := sampleProject(t)
	p.Layers[0].Source = "https://ann:s3cret@maps.example.org/wms"
	err := Save(path, p)
	if !errors.Is(err, ErrSecretInSource) {
		t.Fatalf("Save() error = %v, want ErrSecretInSource", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Save() error %q contains the password", err)
	}
	assertOnly(t, dir)
}

func TestWriteFileAtomicFailures(t *testing.T) {
	boom := errors.New("disk full")
	tests := []struct {
		name string
		ops  fileOps
	}{
		{"write fails", fileOps{
			write:  func(f *os.File, data []byte) (int, error) { f.Write(data[:3]); return 3, boom },
			rename: os.Rename,
		}},
		{"rename fails", fileOps{write: osOps.write, rename: func(string, string) error { return boom }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "p.json")
			const old = "old content"
			if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
				t.Fatal(err)
			}
			err := writeFileAtomic(path, []byte("new content"), 0o644, tt.ops)
			if !errors.Is(err, boom) {
				t.Fatalf("writeFileAtomic() error = %v, want %v", err, boom)
			}
			got, _ := os.ReadFile(path)
			if string(got) != old {
				t.Errorf("target holds %q, want %q", got, old)
			}
			assertOnly(t, dir, "p.json")
		})
	}
}

func TestWriteFileAtomicBadTargets(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
	}{
		{"target is a folder", filepath.Join(dir, "sub")},
		{"folder missing", filepath.Join(dir, "missing", "p.json")},
	}
	for _, tt := range tests {
		if err := WriteFileAtomic(tt.path, []byte("x"), 0o644); err == nil {
			t.Errorf("%s: WriteFileAtomic(%s) error = nil, want one", tt.name, tt.path)
		}
	}
	assertOnly(t, dir, "sub")
	assertOnly(t, filepath.Join(dir, "sub"))
}

func TestWriteFileAtomicReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores folder permissions; the failing-write cases cover cleanup")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if err := WriteFileAtomic(path, []byte("new"), 0o644); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("WriteFileAtomic(read-only folder) error = %v, want fs.ErrPermission", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("target holds %q, want %q", got, "old")
	}
}

func TestWriteFileAtomicFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	if err := os.WriteFile(real, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.json", link); err != nil {
		t.Skipf("no symlinks: %v", err)
	}
	if err := WriteFileAtomic(link, []byte("new"), 0o644); err != nil {
		t.Fatalf("WriteFileAtomic(link) error = %v", err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("link replaced by a regular file (%v, %v), want the link kept", fi, err)
	}
	got, _ := os.ReadFile(real)
	fi, _ := os.Stat(real)
	if string(got) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("link target holds %q mode %v, want %q mode 0600", got, fi.Mode().Perm(), "new")
	}
	assertOnly(t, dir, "link.json", "real.json")
}

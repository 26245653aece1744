package project

import (
	"bytes"
	"io"
	"os"
)

// MaxSize is the largest project file Load reads: 64 MiB. A project with
// ten thousand layers is about 4 MB, so this only stops a wrong or hostile
// file from taking all the memory.
const MaxSize = 64 << 20

// ReadFile reads the file at path, refusing one larger than limit bytes
// with a *TooLargeError (matching ErrTooLarge) before reading any of it. It
// reads through the limit as well, so a file without a size (a device, a
// pipe) or one that grows while it is read is refused the same way. Errors
// of the file system come back as they are (a missing file matches
// fs.ErrNotExist). The KeyVault reads its sidecar with it too.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if size > limit {
		return nil, &TooLargeError{File: path, Size: size, Limit: limit}
	}
	var b bytes.Buffer
	if fi.Mode().IsRegular() {
		b.Grow(int(size) + 512)
	}
	if _, err := b.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if int64(b.Len()) > limit {
		return nil, &TooLargeError{File: path, Size: -1, Limit: limit}
	}
	return b.Bytes(), nil
}

package assets

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
)

// ErrUnknownData is returned by Data for a name that is not an embedded file.
var ErrUnknownData = errors.New("assets: unknown data file")

//go:embed data/*.geojson
var data embed.FS

//go:embed icon.png
var icon []byte

// DataNames lists the embedded data files, e.g. "countries.geojson".
func DataNames() []string {
	entries, err := fs.ReadDir(data, "data")
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// Data returns the contents of an embedded data file by its base name, such
// as "land.geojson", "countries.geojson" or "borders.geojson". The caller
// owns the returned slice.
func Data(name string) ([]byte, error) {
	if name == "" || path.Base(name) != name {
		return nil, fmt.Errorf("%w: %q", ErrUnknownData, name)
	}
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownData, name)
	}
	return b, nil
}

// Icon returns the 256x256 PNG application icon. The caller owns the
// returned slice.
func Icon() []byte {
	return append([]byte(nil), icon...)
}

//go:embed examples/public-services.mapvault.json
var publicServices []byte

// PublicServicesName is the file name of the public-services example.
const PublicServicesName = "public-services.mapvault.json"

// PublicServices returns the second example project: real public WMS
// services (NASA GIBS, terrestris OpenStreetMap, PDOK) for users with
// internet access. None needs credentials. The caller owns the slice.
func PublicServices() []byte {
	return append([]byte(nil), publicServices...)
}

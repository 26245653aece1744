// Package assets owns the files shipped inside the binaries: the application
// icon and the offline demo data (public-domain geographic data as GeoJSON
// and the demo project).
package assets

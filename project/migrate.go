package project

// Version 1 of the format kept a WMS layer's fields flat in the layer
// object; version 2 keeps each kind's fields in an object named after the
// kind, so that a layer of any kind has room for its own. Reading a version
// 1 file moves the flat fields into Layer.WMS (whatever the layer's kind,
// so nothing is lost); Marshal writes version 2. A version 1 mapvault
// refuses version 2 files (ErrNewerVersion) instead of reading a WMS layer
// without its layer names.

// v1WMSFields maps the flat fields of a version 1 layer to their place in
// the version 2 "wms" object.
var v1WMSFields = map[string]string{
	"wms_layers":  "layers",
	"styles":      "styles",
	"format":      "format",
	"wms_version": "version",
}

func isFlatWMSField(key string) bool { _, ok := v1WMSFields[key]; return ok }

// flatWMS reads one flat version 1 WMS field into w.
func (ps *parser) flatWMS(m member, path string, w *WMS) error {
	var err error
	switch v1WMSFields[m.key] {
	case "layers":
		w.Layers, err = ps.strList(m, path)
	case "styles":
		w.Styles, err = ps.strList(m, path)
	case "format":
		w.Format, err = ps.str(m, path)
	case "version":
		w.Version, err = ps.str(m, path)
	}
	return err
}

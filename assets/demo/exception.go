package demo

import (
	"bytes"
	"encoding/xml"
	"net/http"
)

type xServiceException struct {
	Code string `xml:"code,attr,omitempty"`
	Text string `xml:",chardata"`
}

type xExceptionReport130 struct {
	XMLName        xml.Name            `xml:"ServiceExceptionReport"`
	Version        string              `xml:"version,attr"`
	XMLNS          string              `xml:"xmlns,attr"`
	XSI            string              `xml:"xmlns:xsi,attr"`
	SchemaLocation string              `xml:"xsi:schemaLocation,attr"`
	Exceptions     []xServiceException `xml:"ServiceException"`
}

type xExceptionReport111 struct {
	XMLName    xml.Name            `xml:"ServiceExceptionReport"`
	Version    string              `xml:"version,attr"`
	Exceptions []xServiceException `xml:"ServiceException"`
}

// exceptionReport encodes e as the version's ServiceExceptionReport and
// returns it with its media type.
func exceptionReport(e *serviceError, version string) ([]byte, string) {
	ex := []xServiceException{{Code: e.code, Text: e.msg}}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	var doc any
	mediaType := "text/xml"
	if version == version111 {
		buf.WriteString(`<!DOCTYPE ServiceExceptionReport SYSTEM "http://schemas.opengis.net/wms/1.1.1/exception_1_1_1.dtd">` + "\n")
		doc = xExceptionReport111{Version: version111, Exceptions: ex}
		mediaType = "application/vnd.ogc.se_xml"
	} else {
		doc = xExceptionReport130{
			Version:        version130,
			XMLNS:          "http://www.opengis.net/ogc",
			XSI:            "http://www.w3.org/2001/XMLSchema-instance",
			SchemaLocation: "http://www.opengis.net/ogc http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd",
			Exceptions:     ex,
		}
	}
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		// Only strings are encoded; fall back to a minimal valid report.
		buf.Reset()
		buf.WriteString(`<?xml version="1.0"?><ServiceExceptionReport version="` + version + `"><ServiceException/></ServiceExceptionReport>`)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), mediaType
}

// writeException answers a bad request with a ServiceException document.
// Like MapServer and GeoServer, the HTTP status is 200: WMS reports errors in
// the body, and clients must look at the media type.
func writeException(w http.ResponseWriter, e *serviceError, version string) {
	body, mediaType := exceptionReport(e, version)
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

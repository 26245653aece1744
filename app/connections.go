package app

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"

	"mapvault/layers"
	"mapvault/project"
)

// prefConnections is the preference holding the service browser's saved
// connections, a JSON list of connection: a choice of this machine, never
// project data, and never a credential.
const prefConnections = "connections"

// connection is a service the user saved in the service browser. URL is
// the clean URL (layers.SplitURL): a key or password typed in the address
// is never part of it.
type connection struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	Kind string `json:"kind"` // a kind name, "" detects
}

// loadConnections reads the saved connections; a preference that does not
// parse reads as none.
func loadConnections(prefs fyne.Preferences) []connection {
	var out []connection
	if s := prefs.String(prefConnections); s != "" {
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil
		}
	}
	return out
}

// saveConnections writes the connections to the preferences.
func saveConnections(prefs fyne.Preferences, cs []connection) {
	if cs == nil {
		cs = []connection{}
	}
	b, err := json.Marshal(cs)
	if err != nil {
		return // a list of strings always marshals
	}
	prefs.SetString(prefConnections, string(b))
}

// errNoAddress: the connection form was confirmed without an address.
var errNoAddress = errors.New("the connection has no address")

// cleanConnection makes the connection to save from what the user typed:
// the address split the kind's way (the kind named, else the one the URL
// says, else the generic split), the secret and suspect parameters off.
// raw is what was typed, for this session only.
func cleanConnection(kinds *layers.Registry, name, raw, kind string) (c connection, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return connection{}, errNoAddress
	}
	var k layers.Kind
	if kind != "" {
		if k, err = kinds.Lookup(project.Kind(kind)); err != nil {
			return connection{}, err
		}
	} else if found, ok := kinds.DetectURL(raw); ok {
		k = found
	}
	split, err := layers.SplitURL(k, raw, nil)
	if err != nil {
		return connection{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = split.CleanURL
		if u, err := url.Parse(split.CleanURL); err == nil && u.Host != "" {
			name = u.Host + u.Path
		}
	}
	return connection{Name: name, URL: split.CleanURL, Kind: kind}, nil
}

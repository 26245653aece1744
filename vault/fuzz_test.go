package vault

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSplitURL: SplitURL and RedactURL never panic, no secret they find
// survives in CleanURL or in the redacted URL, and a clean URL splits clean.
func FuzzSplitURL(f *testing.F) {
	for _, tt := range splitURLTests {
		f.Add(tt.in)
	}
	f.Add("https://h/wms?token=abcd&token=abcd")
	f.Add("http://a:b@h:1/p;x?k=v;tk=1#f")
	f.Add(" 0000000")
	f.Fuzz(func(t *testing.T, raw string) {
		_ = RedactText(raw)
		sp, err := SplitURL(raw)
		if err != nil {
			trimmed := strings.TrimSpace(raw)
			if RedactURL(trimmed) != trimmed && len(trimmed) >= 8 && strings.Contains(err.Error(), trimmed) {
				t.Fatalf("SplitURL error %q repeats a URL that holds a secret", err)
			}
			return
		}
		checkSplitLeaks(t, raw, sp)
		again, err := SplitURL(sp.CleanURL)
		if err != nil {
			t.Fatalf("SplitURL(CleanURL %q): %v", sp.CleanURL, err)
		}
		if again.Source != sp.Source {
			t.Errorf("SplitURL(CleanURL).Source = %q, want %q", again.Source, sp.Source)
		}
		if !again.Credential.IsZero() || len(again.Suspects) != 0 {
			t.Errorf("SplitURL(CleanURL %q) found secrets again: method %q suspects %q", sp.CleanURL, again.Method, again.Suspects)
		}
	})
}

// FuzzParseKeyVault: a vault that parses marshals, parses back to the same
// entries, marshals to the same bytes, and scans clean.
func FuzzParseKeyVault(f *testing.F) {
	f.Add([]byte(kvExample))
	if data, err := kvTestVault().Marshal(); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"format":"mapvault-keyvault","version":1,"sources":{"HTTP://H/x":{"method":"header","param":"X-Key","bogus":[1,{"a":null}]}}}`))
	f.Add([]byte(`{"format":"mapvault-keyvault","version":2}`))
	f.Add([]byte(`[{"format":"mapvault-keyvault"}]`))
	f.Add([]byte(`{"format":"mapvault-keyvault","version":2,"sources":{"https://h/a":{"auth_required":true,"method":"token","token_url":"https://h/arcgis/tokens/","token_kind":"arcgis","param":"token"},"https://h/b":{"auth_required":true,"method":"digest","sign_in":true}}}`))
	f.Add([]byte(`{"format":"mapvault-keyvault","version":2,"sources":{"https://h:443/wms":{"auth_required":true,"method":"oauth2","issuer":"https://id.h/o","client_id":"mapvault","scope":"openid wms"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		kv, err := ParseKeyVault("f.json", data)
		if err != nil {
			return
		}
		out, err := kv.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed vault: %v", err)
		}
		kv2, err := ParseKeyVault("out.json", out)
		if err != nil {
			t.Fatalf("ParseKeyVault(Marshal()) = %v\n%s", err, out)
		}
		if a, b := kv.Sources(), kv2.Sources(); len(a) != len(b) {
			t.Fatalf("sources %v became %v", a, b)
		}
		for _, src := range kv.Sources() {
			a, _ := kv.Get(src)
			b, ok := kv2.Get(src)
			if !ok || a != b {
				t.Fatalf("entry %s = %+v became %+v", src, a, b)
			}
		}
		out2, err := kv2.Marshal()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("Marshal not stable:\n%s\n%s", out, out2)
		}
		if leaks := scanData("out.json", out); len(leaks) != 0 {
			t.Fatalf("Marshal output has leaks %v:\n%s", leaks, out)
		}
	})
}

// FuzzScanFile: the scanner never panics and every position is inside the
// file.
func FuzzScanFile(f *testing.F) {
	f.Add([]byte(cleanProject))
	f.Add([]byte(kvExample))
	f.Add([]byte(`{"s": "https://a:b@h/wms?tk=1234&key=5678#access_token=x"}`))
	f.Add([]byte("{\"password\": \"x\", \"k\": \"\\u0041\\\"\"}"))
	f.Add([]byte("notes https://ann:pw@h/x Zq7xW2pL9mK4vB8nC3tR6yH1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		for _, l := range scanData("f", data) {
			if l.Line < 1 || l.Line > len(lines) || l.Column < 1 || l.Column > utf8.RuneCount(lines[l.Line-1])+1 {
				t.Fatalf("leak %v outside the file", l)
			}
		}
	})
}

// FuzzLooksSecret: never panics; a prefix of "Bearer " does not change the
// verdict.
func FuzzLooksSecret(f *testing.F) {
	for _, tt := range looksSecretTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if strings.HasPrefix(v, "Bearer ") || strings.HasPrefix(v, "bearer ") || strings.HasPrefix(v, "Basic ") || strings.HasPrefix(v, "basic ") {
			return
		}
		if LooksSecret(v) != LooksSecret("Bearer "+v) {
			t.Fatalf("LooksSecret(%q) and LooksSecret(Bearer+it) differ", v)
		}
	})
}

// FuzzSplitCommand: $BROWSER splitting never panics, and words quoted
// back split to the same words.
func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{"firefox", `"/opt/my browser/b" -x %s`, `sh -c 'a "b" c'`, `a "" b`, "'", `"'"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words := splitCommand(s)
		var quoted []string
		for _, w := range words {
			if strings.Contains(w, "'") {
				quoted = append(quoted, `"`+w+`"`)
			} else {
				quoted = append(quoted, "'"+w+"'")
			}
		}
		if strings.Contains(s, `'`) && strings.Contains(s, `"`) {
			return // a word may hold both quotes: not quotable this simply
		}
		if again := splitCommand(strings.Join(quoted, " ")); !slices.Equal(again, words) {
			t.Fatalf("splitCommand(%q) = %q; quoted back %q", s, words, again)
		}
	})
}

package vault

import (
	"reflect"
	"testing"
	"time"
)

func TestKeyVaultApplyChanges(t *testing.T) {
	src := func(s string) Source { return Source("https://" + s + ".example:443/wms") }
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	basic := Entry{AuthRequired: true, Method: MethodBasic}
	key := Entry{AuthRequired: true, Method: MethodQuery, Param: "authkey"}
	none := Entry{Method: MethodNone}

	// What this front end read, and what detection made of it.
	base := NewKeyVault()
	base.Set(src("kept"), basic)
	base.Set(src("changed"), none)
	base.Set(src("removed"), basic)
	base.Set(src("same"), Entry{AuthRequired: true, Method: MethodBasic, LastConfirmed: at})
	mine := base.Clone()
	mine.Set(src("changed"), key)
	mine.Delete(src("removed"))
	mine.Set(src("added"), key)
	mine.Set(src("same"), Entry{AuthRequired: true, Method: MethodBasic, LastConfirmed: at.In(time.FixedZone("CET", 3600))})
	if _, ok := base.Get(src("added")); ok {
		t.Fatal("Clone shares entries with the original")
	}

	// Meanwhile another mapvault saved its own changes.
	disk := base.Clone()
	disk.Set(src("theirs"), none)
	disk.Set(src("kept"), key)
	disk.Set(src("same"), none)

	disk.ApplyChanges(base, mine)
	want := map[Source]Entry{
		src("kept"):    key,  // theirs: untouched here
		src("theirs"):  none, // theirs: added
		src("same"):    none, // not changed here (same instant), so theirs
		src("changed"): key,  // mine
		src("added"):   key,  // mine
	}
	got := map[Source]Entry{}
	for _, s := range disk.Sources() {
		got[s], _ = disk.Get(s)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after ApplyChanges:\n got %v\nwant %v", got, want)
	}
}

package vault

import "testing"

func TestAccessFor(t *testing.T) {
	open := Source("https://open.example:443/wms")
	prot := Source("https://prot.example:443/wms")
	tests := []struct {
		name  string
		src   Source
		store func(*Store)
		want  Access
	}{
		{"unknown source is drawn", open, func(*Store) {}, Access{}},
		{"protected without credential", prot, func(*Store) {}, Access{Blocked: true, Reason: ReasonNeedsCredentials}},
		{"protected with unverified credential", prot, func(s *Store) { s.Set(prot, Credential{Key: "k"}) }, Access{}},
		{"protected with verified credential", prot, func(s *Store) { s.Set(prot, Credential{Key: "k"}); s.MarkVerified(prot) }, Access{}},
		{"rejected credential", prot, func(s *Store) { s.Set(prot, Credential{Key: "k"}); s.MarkRejected(prot) }, Access{Blocked: true, Reason: ReasonRejected}},
		{"rejected on an open source", open, func(s *Store) { s.Set(open, Credential{Key: "k"}); s.MarkRejected(open) }, Access{Blocked: true, Reason: ReasonRejected}},
		{"new credential after rejection", prot, func(s *Store) {
			s.Set(prot, Credential{Key: "old"})
			s.MarkRejected(prot)
			s.Set(prot, Credential{Key: "new"})
		}, Access{}},
		{"forgotten credential", prot, func(s *Store) { s.Set(prot, Credential{Key: "k"}); s.Forget(prot) }, Access{Blocked: true, Reason: ReasonNeedsCredentials}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := NewKeyVault()
			kv.Set(prot, Entry{AuthRequired: true, Method: MethodQuery, Param: "authkey"})
			st := NewStore()
			tt.store(st)
			if got := AccessFor(kv, st, tt.src); got != tt.want {
				t.Errorf("AccessFor(%s) = %+v, want %+v", tt.src, got, tt.want)
			}
		})
	}
}

package vault

// Access says whether the layers of a source may be drawn in this session.
type Access struct {
	Blocked bool
	Reason  AuthReason // why, or "" when not blocked
}

// AccessFor decides whether src's layers are blocked: a source whose
// credential the server rejected is blocked, and so is a source the KeyVault
// marks as protected when the session has no credential for it. A layer's own
// visibility is not part of this decision.
func AccessFor(kv *KeyVault, st *Store, src Source) Access {
	status := st.Status(src)
	if status == StatusRejected {
		return Access{Blocked: true, Reason: ReasonRejected}
	}
	if e, ok := kv.Get(src); ok && e.AuthRequired && status == StatusNone {
		return Access{Blocked: true, Reason: ReasonNeedsCredentials}
	}
	return Access{}
}

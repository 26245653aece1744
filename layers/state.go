package layers

import "fmt"

// StateKind is the coarse state of a layer in the tile pipeline.
type StateKind int

const (
	StateIdle    StateKind = iota // nothing in progress (also: a fetch cancelled before it finished)
	StateLoading                  // tiles queued or in flight
	StateOK                       // every tile of the view is in the cache
	StateBlocked                  // needs credentials, or the credentials were rejected
	StateError                    // some tiles failed; Reason says why
)

func (k StateKind) String() string {
	switch k {
	case StateIdle:
		return "idle"
	case StateLoading:
		return "loading"
	case StateOK:
		return "ok"
	case StateBlocked:
		return "blocked"
	case StateError:
		return "error"
	}
	return fmt.Sprintf("StateKind(%d)", int(k))
}

// Reasons the engine gives for a blocked layer.
const (
	ReasonNeedsCredentials = "needs credentials"
	ReasonRejected         = "credentials rejected"
	// ReasonDeadline: the fetch's context deadline (the CLI's --timeout)
	// passed before every tile arrived; the missing tiles count as failed.
	ReasonDeadline = "timed out before every tile arrived"
)

// State is a layer's progress in one Fetch. Queued is the number of tiles
// the view needs for the layer in this fetch (cache hits included); Done
// counts those in the cache, Failed those that ended in an error. Always
// Done + Failed <= Queued; the difference is the tiles still waiting or in
// flight (after a block or a cancel: those never requested). Reason is the
// first failure's explanation: the server's ServiceException text, an HTTP
// status, or one of the Reason constants.
type State struct {
	Kind                 StateKind
	Queued, Done, Failed int
	Reason               string
}

// Pending returns the tiles neither done nor failed.
func (s State) Pending() int { return max(0, s.Queued-s.Done-s.Failed) }

func (s State) String() string {
	str := fmt.Sprintf("%s %d/%d", s.Kind, s.Done, s.Queued)
	if s.Failed > 0 {
		str += fmt.Sprintf(" (%d failed)", s.Failed)
	}
	if s.Reason != "" {
		str += ": " + s.Reason
	}
	return str
}

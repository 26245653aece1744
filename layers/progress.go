package layers

// Progress receives the tile pipeline's reports. The consumer (the desktop
// UI, the CLI) implements it. Both methods are called from pipeline
// goroutines, concurrently: implementations must be cheap and thread-safe
// (the UI records the change and schedules a redraw through fyne.Do).
type Progress interface {
	// LayerState reports a layer's new state.
	LayerState(id string, s State)
	// TileDone reports that a tile of layer id landed in the cache.
	TileDone(id string)
}

// noProgress is used when the caller passes a nil Progress.
type noProgress struct{}

func (noProgress) LayerState(string, State) {}
func (noProgress) TileDone(string)          {}

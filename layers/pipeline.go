package layers

import (
	"context"
	"errors"
	"image"
	"sort"
	"sync"
	"sync/atomic"

	"mapvault/vault"
)

// errSkipped finishes a call whose owner stopped before sending it (its
// layer was blocked); waiters from other fetches then send it themselves.
var errSkipped = errors.New("layers: request skipped")

// call is one tile being fetched (a tile request's URL, or a feature tile
// being rendered); concurrent wanters of the same key (in one Fetch or
// across Fetch calls) wait on it instead of sending again.
type call struct {
	done chan struct{}
	img  *image.RGBA
	err  error
}

// job is one tile of one layer group.
type job struct {
	group int
	rank  int // position in the view's priority order
	req   request
}

type fetchStats struct {
	tiles, requests, hits, bytes atomic.Int64
}

// fetch is Fetch with statistics. Every group's missing tiles are queued by
// host (a feature layer's by the layer: its requests take their hosts'
// slots inside the Fetcher); one dispatcher per queue walks it centre-first
// and starts a download or a render whenever its semaphore has room.
func (e *Engine) fetch(ctx context.Context, v View, specs []LayerSpec, p Progress, fit bool, place *inPlace) (map[string]State, Stats) {
	start := e.opt.Clock()
	if p == nil {
		p = noProgress{}
	}
	grid := newViewGrid(v)
	groups := e.groups(specs, &grid, fit)
	tr := newTracker(groups, p)
	tr.secrets = e.secrets
	st := &fetchStats{}
	byHost := map[string][]job{}
	for gi, g := range groups {
		if g.err != nil {
			tr.invalid(gi, g.err, len(grid.Tiles))
			continue
		}
		hits := 0
		for rank, t := range grid.Tiles {
			req := g.request(t, grid.TilePx)
			if _, ok := place.origin(req.key); ok && gi == 0 {
				req.place = place
			}
			if req.empty || e.cache.get(req.key) != nil {
				hits++
				continue
			}
			q := queueOf(g, req)
			byHost[q] = append(byHost[q], job{group: gi, rank: rank, req: req})
		}
		st.tiles.Add(int64(len(grid.Tiles)))
		st.hits.Add(int64(hits))
		tr.start(gi, len(grid.Tiles), hits)
	}
	var wg sync.WaitGroup
	for host, jobs := range byHost {
		sort.SliceStable(jobs, func(i, j int) bool { return jobs[i].rank < jobs[j].rank })
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.dispatch(ctx, host, jobs, groups, tr, st, &wg)
		}()
	}
	wg.Wait()
	return tr.final(ctx), Stats{
		Tiles:     st.tiles.Load(),
		Requests:  st.requests.Load(),
		CacheHits: st.hits.Load(),
		Bytes:     st.bytes.Load(),
		Elapsed:   e.opt.Clock().Sub(start),
	}
}

// queueOf is the dispatch queue (and semaphore) of a job: the host of a
// raster tile's URL, or the feature layer itself.
func queueOf(g *layerGroup, req request) string {
	if g.features != nil {
		return "render " + g.features.Key()
	}
	return hostKey(req.raster.URL)
}

// dispatch starts the jobs of one queue in order, at most PerHost at a time
// (shared by all fetches). It stops at cancellation and skips the jobs of a
// layer once it is blocked, checking again after waiting for a slot so that
// a rejected layer costs at most PerHost requests.
func (e *Engine) dispatch(ctx context.Context, host string, jobs []job, groups []*layerGroup, tr *tracker, st *fetchStats, wg *sync.WaitGroup) {
	sem := e.semaphore(host)
	for _, j := range jobs {
		if ctx.Err() != nil {
			return
		}
		if tr.blocked(j.group) {
			continue
		}
		g := groups[j.group]
		if j.req.place.isPlaced(j.req.key) { // another tile's job brought it in
			st.hits.Add(1)
			tr.result(ctx, j.group, j.req.place.frame, nil)
			continue
		}
		c, owner, img := e.join(j.req.key)
		if img != nil {
			st.hits.Add(1)
			tr.result(ctx, j.group, img, nil)
			continue
		}
		if !owner {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.await(ctx, c, g, j, sem, tr, st)
			}()
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			e.finish(j.req.key, c, nil, ctx.Err())
			return
		}
		if ctx.Err() != nil { // a slot and the cancel came together
			<-sem
			e.finish(j.req.key, c, nil, ctx.Err())
			return
		}
		if tr.blocked(j.group) {
			<-sem
			e.finish(j.req.key, c, nil, errSkipped)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.work(ctx, c, g, j, sem, tr, st)
		}()
	}
}

// work downloads and decodes (or renders) one tile on its own goroutine,
// holding a slot of sem (released here), stores it unless ctx was
// cancelled, records the result and wakes the call's waiters.
func (e *Engine) work(ctx context.Context, c *call, g *layerGroup, j job, sem chan struct{}, tr *tracker, st *fetchStats) {
	gen := e.cache.generation(j.req.src)
	var img *image.RGBA
	var err error
	if g.features != nil {
		img, err = e.render(ctx, g.features, j.req, st)
	} else {
		img, err = e.download(ctx, j.req, st)
	}
	// The slot is released only after the result is recorded, so the
	// dispatcher sees a block before it can start another request.
	defer func() { <-sem }()
	if err == nil && ctx.Err() != nil {
		img, err = nil, ctx.Err()
	}
	if !j.req.place.done(j.req.key, img, j.req.raster.Width, j.req.raster.Height, err) && err == nil {
		e.cache.put(j.req.key, j.req.src, gen, img)
	}
	e.finish(j.req.key, c, img, err)
	tr.result(ctx, j.group, img, err)
}

// await waits for another fetch's call of the same key. If that fetch gave
// up on it (cancelled or blocked) while this one still wants it, this one
// sends it itself.
func (e *Engine) await(ctx context.Context, c *call, g *layerGroup, j job, sem chan struct{}, tr *tracker, st *fetchStats) {
	for {
		select {
		case <-c.done:
		case <-ctx.Done():
			return
		}
		if !abandoned(c.err) {
			tr.result(ctx, j.group, c.img, c.err)
			return
		}
		if ctx.Err() != nil || tr.blocked(j.group) {
			return
		}
		var owner bool
		var img *image.RGBA
		c, owner, img = e.join(j.req.key)
		if img != nil {
			st.hits.Add(1)
			tr.result(ctx, j.group, img, nil)
			return
		}
		if !owner {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			e.finish(j.req.key, c, nil, ctx.Err())
			return
		}
		if ctx.Err() != nil {
			<-sem
			e.finish(j.req.key, c, nil, ctx.Err())
			return
		}
		e.work(ctx, c, g, j, sem, tr, st)
		return
	}
}

func abandoned(err error) bool {
	return errors.Is(err, errSkipped) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// join returns the cached tile for key, or the call fetching it, creating
// (and owning) a new one if there is none.
func (e *Engine) join(key string) (c *call, owner bool, img *image.RGBA) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.inflight[key]; ok {
		return c, false, nil
	}
	if img := e.cache.get(key); img != nil {
		return nil, false, img
	}
	c = &call{done: make(chan struct{})}
	e.inflight[key] = c
	return c, true, nil
}

// finish completes a call. The tile, if any, is already in the cache, so a
// later join finds it there.
func (e *Engine) finish(key string, c *call, img *image.RGBA, err error) {
	e.mu.Lock()
	if e.inflight[key] == c {
		delete(e.inflight, key)
	}
	e.mu.Unlock()
	c.img, c.err = img, err
	close(c.done)
}

func (e *Engine) semaphore(host string) chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.hosts[host]
	if !ok {
		s = make(chan struct{}, e.opt.PerHost)
		e.hosts[host] = s
	}
	return s
}

// tracker keeps each group's State and reports changes to every member
// layer. Reports are made under its lock, so a Progress sees them in order.
type tracker struct {
	mu     sync.Mutex
	p      Progress
	groups []*layerGroup
	states []State
	block  []atomic.Bool
	// secrets lists the session's secrets, which Reasons are scrubbed of
	// (nil: none).
	secrets func() []string
}

// secretList returns the session's secrets, for scrubbing a Reason.
func (t *tracker) secretList() []string {
	if t.secrets == nil {
		return nil
	}
	return t.secrets()
}

func newTracker(groups []*layerGroup, p Progress) *tracker {
	return &tracker{p: p, groups: groups, states: make([]State, len(groups)), block: make([]atomic.Bool, len(groups))}
}

func (t *tracker) blocked(g int) bool { return t.block[g].Load() }

func (t *tracker) emitLocked(g int) {
	for _, id := range t.groups[g].ids {
		t.p.LayerState(id, t.states[g])
	}
}

func (t *tracker) invalid(g int, err error, tiles int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.states[g] = State{Kind: StateError, Queued: tiles, Failed: tiles, Reason: reasonOf(err, t.secretList()...)}
	t.emitLocked(g)
}

func (t *tracker) start(g, tiles, hits int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := State{Kind: StateLoading, Queued: tiles, Done: hits}
	if hits == tiles {
		s.Kind = StateOK
	}
	t.states[g] = s
	t.emitLocked(g)
}

// result records a finished tile. Nothing is recorded once ctx is
// cancelled, and abandoned requests stay pending.
func (t *tracker) result(ctx context.Context, g int, img *image.RGBA, err error) {
	if ctx.Err() != nil || (err != nil && abandoned(err)) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	s := &t.states[g]
	if s.Done+s.Failed >= s.Queued {
		return // never more results than tiles
	}
	if err == nil && img != nil {
		s.Done++
		t.emitLocked(g)
		for _, id := range t.groups[g].ids {
			t.p.TileDone(id)
		}
		return
	}
	s.Failed++
	kind, reason := classify(err, t.secretList)
	if s.Reason == "" || (kind == StateBlocked && s.Kind != StateBlocked) {
		s.Reason = reason
	}
	if kind == StateBlocked {
		s.Kind = StateBlocked
		t.block[g].Store(true)
	}
	t.emitLocked(g)
}

// final settles every group's kind and returns the states by layer ID.
// When ctx's deadline passed, the tiles still pending count as failed.
func (t *tracker) final(ctx context.Context) map[string]State {
	deadline := errors.Is(ctx.Err(), context.DeadlineExceeded)
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]State, len(t.groups))
	for g := range t.groups {
		s := &t.states[g]
		prev := *s
		switch {
		case s.Kind == StateBlocked:
		case deadline && s.Pending() > 0:
			s.Kind = StateError
			s.Failed += s.Pending()
			if s.Reason == "" {
				s.Reason = ReasonDeadline
			} else {
				s.Reason = ReasonDeadline + "; " + s.Reason
			}
		case s.Failed > 0:
			s.Kind = StateError
		case s.Pending() > 0:
			s.Kind = StateIdle // cancelled before it finished
		default:
			s.Kind = StateOK
		}
		if *s != prev {
			t.emitLocked(g)
		}
		for _, id := range t.groups[g].ids {
			out[id] = *s
		}
	}
	return out
}

// classify maps a tile error to the layer state it causes and its Reason,
// scrubbed of secrets (asked for only when server text is shown).
func classify(err error, secrets func() []string) (StateKind, string) {
	var he *HTTPError
	var se *ServiceException
	switch {
	case errors.Is(err, vault.ErrNoCredentials):
		return StateBlocked, ReasonNeedsCredentials
	case errors.Is(err, vault.ErrRejected):
		return StateBlocked, ReasonRejected
	case errors.As(err, &he) && isAuthStatus(he.Status):
		return StateBlocked, ReasonRejected
	case errors.As(err, &se):
		return StateError, cleanReason(se.Message, secrets()...)
	}
	return StateError, reasonOf(err, secrets()...)
}

// reasonOf turns an error into a short status line without the package
// prefix, scrubbed of secrets; URLs in it are redacted.
func reasonOf(err error, secrets ...string) string {
	var he *HTTPError
	if errors.As(err, &he) {
		if text := httpStatusText(he.Status); text != "" {
			return "HTTP " + itoa(he.Status) + " " + text
		}
		return "HTTP " + itoa(he.Status)
	}
	msg := err.Error()
	for len(msg) > 8 && msg[:8] == "layers: " {
		msg = msg[8:]
	}
	return cleanReason(msg, secrets...)
}

package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"mapvault/app/session"
	"mapvault/assets/demo"
	"mapvault/vault"
)

const (
	probeTimeout        = 20 * time.Second
	capabilitiesTimeout = 30 * time.Second
	detectTimeout       = 45 * time.Second

	choiceBasic = "Username + password"
	choiceKey   = "Access key"
	choiceToken = "Secret key + token service"
	choiceCert  = "Client certificate"
	choiceOAuth = "Sign in with the browser (OAuth2)"

	// prefCertPrefix + source is the preference holding the certificate
	// file a user picked for a source: a choice of this machine, never
	// project data (a colleague opening the project picks their own).
	prefCertPrefix = "client-certificate:"

	msgRejected = "The server rejected these credentials."
)

// promptQueue shows credential prompts one at a time, one per source.
type promptQueue struct {
	a       *App
	queue   []vault.Source
	current *credPrompt
}

func newPromptQueue(a *App) *promptQueue { return &promptQueue{a: a} }

// enqueue adds src unless it is showing or already waiting.
func (q *promptQueue) enqueue(src vault.Source) {
	if q.current != nil && q.current.src == src {
		return
	}
	for _, s := range q.queue {
		if s == src {
			return
		}
	}
	// Keep the queue in the panel's order (top first), so that prompts
	// come in the same order whatever the servers' timing.
	i := 0
	for i < len(q.queue) && q.a.doc.panelIndex(q.queue[i]) <= q.a.doc.panelIndex(src) {
		i++
	}
	q.queue = slices.Insert(q.queue, i, src)
	q.next()
}

// reset drops waiting prompts and closes the one showing (document closed).
func (q *promptQueue) reset() {
	q.queue = nil
	if c := q.current; c != nil {
		q.current = nil
		c.cancelDetect()
		c.dlg.Hide()
	}
}

// Current returns the prompt showing, or nil.
func (q *promptQueue) Current() *credPrompt { return q.current }

func (q *promptQueue) next() {
	if q.current != nil || len(q.queue) == 0 {
		return
	}
	if len(q.a.doc.resolving) > 0 {
		// Layers are still being resolved: their refusals may add sources
		// that come first in the panel. The last one to finish calls next.
		return
	}
	src := q.queue[0]
	q.queue = q.queue[1:]
	q.current = q.a.newCredPrompt(src, nil, func(bool, vault.Result) {
		q.current = nil
		q.next()
	})
	q.current.show()
}

// credPrompt is the credential dialog for one source.
type credPrompt struct {
	a      *App
	src    vault.Source
	target *vault.Target // nil: a GetMap probe for one of the source's layers

	kind     *widget.Select
	user     *keyEntry
	password *keyEntry
	key      *keyEntry
	param    *keyEntry
	secret   *keyEntry // a secret key exchanged at the token service
	tokenURL *keyEntry
	certFile *keyEntry // a client certificate file (PKCS#12 or PEM)
	certPass *keyEntry
	issuer   *keyEntry // the OAuth2 issuer, when the server does not say
	remember *widget.Check
	signIn   *widget.Check // "requires sign-in": an anonymous answer does not settle it
	hint     *widget.Label
	message  *widget.Label
	progress *widget.ProgressBarInfinite
	submit   *widget.Button
	cancel   *widget.Button
	basicBox *fyne.Container
	keyBox   *fyne.Container
	tokenBox *fyne.Container
	certBox  *fyne.Container
	oauthBox *fyne.Container
	dlg      *dialog.CustomDialog

	stop   context.CancelFunc
	done   func(found bool, res vault.Result)
	closed bool
}

// newCredPrompt builds (without showing) the prompt for src. target is the
// probe to use when the source has no layer yet (add-layer flow).
func (a *App) newCredPrompt(src vault.Source, target *vault.Target, done func(found bool, res vault.Result)) *credPrompt {
	p := &credPrompt{a: a, src: src, target: target, done: done}
	p.user = newKeyEntry()
	p.user.SetPlaceHolder("user name")
	p.password = newKeyPasswordEntry() // masked, with the reveal (show/hide) action
	p.password.SetPlaceHolder("password")
	p.key = newKeyPasswordEntry()
	p.key.SetPlaceHolder("access key")
	p.param = newKeyEntry()
	p.param.SetPlaceHolder("optional, e.g. authkey")
	p.secret = newKeyPasswordEntry()
	p.secret.SetPlaceHolder("secret key")
	p.tokenURL = newKeyEntry()
	p.tokenURL.SetPlaceHolder("https://portal.example.org/token")
	if e, ok := a.doc.kv().Get(src); ok && e.TokenURL != "" {
		p.tokenURL.SetText(e.TokenURL)
	}
	p.certFile = newKeyEntry()
	p.certFile.SetPlaceHolder("certificate file (.p12, .pfx or .pem)")
	p.certFile.SetText(a.fa.Preferences().String(prefCertPrefix + string(src)))
	p.certPass = newKeyPasswordEntry()
	p.certPass.SetPlaceHolder("file password, if any")
	p.issuer = newKeyEntry()
	p.issuer.SetPlaceHolder("found from the server when it says; else https://login.example.org/realms/gis")
	if e, ok := a.doc.kv().Get(src); ok && e.Issuer != "" {
		p.issuer.SetText(e.Issuer)
	}
	p.signIn = widget.NewCheck("The service requires sign-in (without it, it shows only its public layers)", nil)
	if e, ok := a.doc.kv().Get(src); ok && e.SignIn {
		p.signIn.SetChecked(true)
	}
	p.remember = widget.NewCheck("Remember in system keychain", nil)
	if !a.doc.ws.HasKeychain() {
		p.remember.Disable()
	}
	p.hint = widget.NewLabel(credentialHint(src))
	p.hint.Wrapping = fyne.TextWrapWord
	p.message = widget.NewLabel("")
	p.message.Wrapping = fyne.TextWrapWord
	p.message.Importance = widget.DangerImportance
	p.message.Hide()
	p.progress = widget.NewProgressBarInfinite()
	p.progress.Stop()
	p.progress.Hide()

	p.basicBox = container.New(layout.NewFormLayout(),
		widget.NewLabel("User name"), p.user,
		widget.NewLabel("Password"), p.password)
	p.keyBox = container.New(layout.NewFormLayout(),
		widget.NewLabel("Access key"), p.key,
		widget.NewLabel("Parameter name"), p.param)
	p.tokenBox = container.New(layout.NewFormLayout(),
		widget.NewLabel("Secret key"), p.secret,
		widget.NewLabel("Token service URL"), p.tokenURL)
	browse := widget.NewButton("Browse…", p.browseCertificate)
	p.certBox = container.New(layout.NewFormLayout(),
		widget.NewLabel("Certificate"), container.NewBorder(nil, nil, nil, browse, p.certFile),
		widget.NewLabel("Password"), p.certPass)
	signInNote := widget.NewLabel("Unlock opens the sign-in page of the service's identity provider in your browser. Nothing is typed here.")
	signInNote.Wrapping = fyne.TextWrapWord
	p.oauthBox = container.NewVBox(signInNote, container.New(layout.NewFormLayout(), widget.NewLabel("Issuer"), p.issuer))
	p.kind = widget.NewSelect([]string{choiceBasic, choiceKey, choiceToken, choiceCert, choiceOAuth}, func(s string) {
		showIf(p.basicBox, s == choiceBasic)
		showIf(p.keyBox, s == choiceKey)
		showIf(p.tokenBox, s == choiceToken)
		showIf(p.certBox, s == choiceCert)
		showIf(p.oauthBox, s == choiceOAuth)
		// The keychain keeps secrets, not certificate files.
		if s == choiceCert || !a.doc.ws.HasKeychain() {
			p.remember.Disable()
		} else {
			p.remember.Enable()
		}
	})
	p.kind.SetSelected(defaultChoice(a.doc.access(src), src))

	intro := widget.NewLabel(p.introText())
	intro.Wrapping = fyne.TextWrapWord
	kindRow := container.New(layout.NewFormLayout(), widget.NewLabel("Credential"), p.kind)
	content := container.NewVBox(intro, kindRow, p.basicBox, p.keyBox, p.tokenBox, p.certBox, p.oauthBox, p.signIn, p.remember, p.hint, p.message, p.progress)

	p.cancel = widget.NewButton("Cancel", p.close)
	p.submit = widget.NewButton("Unlock", p.Submit)
	p.submit.Importance = widget.HighImportance
	p.dlg = dialog.NewCustomWithoutButtons("Credentials for "+sourceLabel(src), content, a.win)
	p.dlg.SetButtons([]fyne.CanvasObject{p.cancel, p.submit})
	p.dlg.Resize(fyne.NewSize(520, 0))
	p.password.OnSubmitted = func(string) { p.Submit() }
	p.key.OnSubmitted = func(string) { p.Submit() }
	p.secret.OnSubmitted = func(string) { p.Submit() }
	p.certPass.OnSubmitted = func(string) { p.Submit() }
	p.user.OnSubmitted = func(string) { p.focusNext(p.password) }
	p.tokenURL.OnSubmitted = func(string) { p.Submit() }
	return p
}

// show shows the prompt, ready for the keyboard: the first field of the
// chosen credential has the focus, Escape cancels, Enter unlocks (in the
// user name field it moves on to an empty password).
func (p *credPrompt) show() {
	p.dlg.Show()
	p.a.dialogKeys(p.dlg, p.firstField(), p.Submit, p.close,
		p.user, p.password, p.key, p.param, p.secret, p.tokenURL, p.certFile, p.certPass, p.issuer)
}

// firstField is the first field of the chosen credential.
func (p *credPrompt) firstField() fyne.Focusable {
	switch p.kind.Selected {
	case choiceKey:
		return p.key
	case choiceToken:
		return p.secret
	case choiceCert:
		return p.certFile
	case choiceOAuth:
		return p.issuer
	}
	return p.user
}

// focusNext moves the focus to next when it is empty, else submits.
func (p *credPrompt) focusNext(next *keyEntry) {
	if next.Text == "" {
		p.a.win.Canvas().Focus(next)
		return
	}
	p.Submit()
}

// introText names the layers the credential unlocks.
func (p *credPrompt) introText() string {
	var names []string
	for _, l := range p.a.doc.layersOf(p.src) {
		names = append(names, layerTitle(l))
	}
	s := "The service " + sourceLabel(p.src) + " needs credentials."
	if acc := p.a.doc.access(p.src); acc.Known {
		s = "The service " + sourceLabel(p.src) + " needs credentials (" + acc.Entry.Method.Label() + ")."
	}
	if len(names) > 0 {
		s += " They unlock: " + strings.Join(names, ", ") + "."
	}
	return s
}

// defaultChoice preselects what the source's scheme needs.
func defaultChoice(acc session.Access, src vault.Source) string {
	switch {
	case acc.Known && acc.Needs.SignIn:
		return choiceOAuth
	case acc.Known && acc.Needs.Certificate:
		return choiceCert
	case acc.Known && acc.Entry.TokenURL != "" && !acc.Needs.Username:
		return choiceToken
	case acc.Known && acc.Needs.Secret == vault.SecretKey:
		return choiceKey
	case isDemoSource(src) && strings.HasSuffix(string(src), demo.KeyPath):
		return choiceKey
	}
	return choiceBasic
}

// sourceLabel is a short, secret-free name of a source.
func sourceLabel(src vault.Source) string {
	s := string(src)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	return s
}

// credential builds the credential and what the user said about how it is
// sent, or returns what the user still has to fill in (a message).
func (p *credPrompt) credential() (cred vault.Credential, hint vault.Hint, missing string) {
	switch p.kind.Selected {
	case choiceKey:
		k := strings.TrimSpace(p.key.Text)
		if k == "" {
			return vault.Credential{}, hint, "Enter the access key."
		}
		return vault.Credential{Key: k}, vault.Hint{Param: strings.TrimSpace(p.param.Text)}, ""
	case choiceOAuth:
		return vault.Credential{}, vault.Hint{Method: vault.MethodOAuth2, Issuer: strings.TrimSpace(p.issuer.Text)}, ""
	case choiceCert:
		if strings.TrimSpace(p.certFile.Text) == "" {
			return vault.Credential{}, hint, "Choose the certificate file."
		}
		// Loaded in Submit's goroutine (decrypting a PKCS#12 file takes a
		// moment); the hint says which scheme it is for.
		return vault.Credential{}, vault.Hint{Method: vault.MethodClientCert}, ""
	case choiceToken:
		k := strings.TrimSpace(p.secret.Text)
		u := strings.TrimSpace(p.tokenURL.Text)
		if k == "" || u == "" {
			return vault.Credential{}, hint, "Enter the secret key and the token service URL."
		}
		return vault.Credential{Key: k}, vault.Hint{TokenURL: u, Method: vault.MethodToken}, ""
	}
	if p.user.Text == "" && p.password.Text == "" {
		return vault.Credential{}, hint, "Enter a user name and password."
	}
	if e, ok := p.a.doc.kv().Get(p.src); ok && e.TokenURL != "" {
		hint.TokenURL = e.TokenURL
	}
	return vault.Credential{Username: p.user.Text, Password: p.password.Text}, hint, ""
}

// probeTarget returns the request detection sends.
func (p *credPrompt) probeTarget() (vault.Target, error) {
	if p.target != nil {
		return *p.target, nil
	}
	ls := p.a.doc.layersOf(p.src)
	if len(ls) == 0 {
		return vault.Target{}, errors.New("no layer of this service left in the project")
	}
	lon, lat, _ := p.a.mapView.Center()
	l := *ls[0]
	l.Source = p.a.doc.proj.Resolve(l.Source)
	return p.a.doc.ws.Kinds().ProbeTarget(l, lon, lat)
}

// Submit checks the credential against the server in a goroutine.
func (p *credPrompt) Submit() {
	if p.stop != nil { // already checking
		return
	}
	cred, hint, missing := p.credential()
	if missing != "" {
		p.showMessage(missing)
		return
	}
	target, err := p.probeTarget()
	if err != nil {
		p.showMessage(err.Error())
		return
	}
	remember := p.remember.Checked
	hint.SignIn = p.signIn.Checked
	p.setBusy(true)
	a, d := p.a, p.a.doc
	ctx, cancel := context.WithTimeout(d.ctx, detectTimeout)
	p.stop = cancel
	before, _ := d.kv().Get(p.src)
	certPath, certPass := strings.TrimSpace(p.certFile.Text), p.certPass.Text
	go func() {
		if hint.Method == vault.MethodClientCert {
			cert, err := vault.LoadClientCertificate(certPath, "", []byte(certPass))
			if err != nil {
				cancel()
				a.do(func() { p.certFailed(d, err) })
				return
			}
			cred = vault.Credential{Certificate: cert}
			a.do(func() { a.fa.Preferences().SetString(prefCertPrefix+string(p.src), certPath) })
		}
		var u session.Unlocked
		var err error
		if hint.Method == vault.MethodOAuth2 {
			u, err = signIn(ctx, d.ws, p.src, target, hint, a.svc.openURL(), remember)
		} else {
			u, err = d.ws.Unlock(ctx, p.src, target, cred, hint, remember)
		}
		cancel()
		a.do(func() { p.detected(d, before, u, err, remember) })
	}()
}

func (p *credPrompt) detected(d *document, before vault.Entry, u session.Unlocked, err error, remember bool) {
	a := p.a
	p.stop = nil
	if p.closed || a.doc != d {
		return
	}
	p.setBusy(false)
	if err != nil {
		p.showMessage("Could not decide: " + d.reason(err))
		return
	}
	res := u.Result
	switch res.Outcome {
	case vault.OutcomeFound, vault.OutcomeNoAuthNeeded:
		if after, _ := d.kv().Get(p.src); !sameMethod(after, before) {
			a.markDirty() // the KeyVault learnt how the source authenticates
		}
		switch {
		case u.Remembered:
			a.status.setNote("Credentials saved in the system keychain")
		case u.KeychainErr != nil:
			a.status.setNote("Could not save to the system keychain (credentials kept for this session)")
		}
		p.finish(true, res)
		a.unlocked(p.src)
	case vault.OutcomeRejected:
		p.showMessage(msgRejected)
	default:
		reason := strings.TrimSpace(res.Reason)
		low := strings.ToLower(reason)
		if strings.HasPrefix(low, "could not decide") {
			reason = strings.TrimLeft(reason[len("could not decide"):], ": ")
		}
		if reason == "" {
			reason = "no clear answer from the server"
		}
		p.showMessage("Could not decide: " + reason + ". Try again.")
	}
}

// signIn signs in to src's OAuth2 server in the browser. When the KeyVault
// does not know the server yet, a check without a credential asks the
// source first (it says where to sign in, or the user's issuer is used).
func signIn(ctx context.Context, ws *session.Workspace, src vault.Source, t vault.Target, hint vault.Hint, open func(string) error, remember bool) (session.Unlocked, error) {
	if e, ok := ws.KeyVault().Get(src); !ok || e.Method != vault.MethodOAuth2 || (hint.Issuer != "" && hint.Issuer != e.Issuer) {
		u, err := ws.Unlock(ctx, src, t, vault.Credential{}, hint, false)
		if err != nil || u.Result.Outcome == vault.OutcomeNoAuthNeeded || u.Result.Entry.Method != vault.MethodOAuth2 {
			return u, err
		}
	}
	u, err := ws.SignIn(ctx, src, t, open, remember)
	if err != nil {
		return u, fmt.Errorf("sign-in did not complete: %w", err)
	}
	return u, nil
}

// sameMethod reports whether two KeyVault entries say the same thing about
// how a source authenticates (the confirmation time aside).
func sameMethod(a, b vault.Entry) bool {
	a.LastConfirmed, b.LastConfirmed = time.Time{}, time.Time{}
	return a == b
}

// certFailed shows why the certificate file could not be read (the
// error names the file, never its password).
func (p *credPrompt) certFailed(d *document, err error) {
	p.stop = nil
	if p.closed || p.a.doc != d {
		return
	}
	p.setBusy(false)
	if errors.Is(err, vault.ErrCertPassword) {
		p.showMessage("Wrong password for the certificate file.")
		return
	}
	p.showMessage("Could not read the certificate: " + oneLine(err.Error()))
}

// browseCertificate picks the certificate file in a file dialog.
func (p *credPrompt) browseCertificate() {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		p.certFile.SetText(r.URI().Path())
	}, p.a.win)
	fd.Show()
}

func (p *credPrompt) setBusy(busy bool) {
	showIf(p.progress, busy)
	if busy {
		p.progress.Start()
		p.message.Hide()
		p.submit.Disable()
	} else {
		p.progress.Stop()
		p.submit.Enable()
	}
}

func (p *credPrompt) showMessage(m string) {
	p.message.SetText(m)
	p.message.Show()
}

// Message returns the message the prompt shows ("" when none).
func (p *credPrompt) Message() string {
	if !p.message.Visible() {
		return ""
	}
	return p.message.Text
}

func (p *credPrompt) cancelDetect() {
	if p.stop != nil {
		p.stop()
	}
	p.closed = true
}

// close is Cancel: the layers stay blocked.
func (p *credPrompt) close() { p.finish(false, vault.Result{}) }

// finish closes the prompt; res is what detection found (its Document,
// the target's answer, spares reading it again).
func (p *credPrompt) finish(found bool, res vault.Result) {
	if p.closed {
		return
	}
	p.cancelDetect()
	p.password.SetText("")
	p.key.SetText("")
	p.secret.SetText("")
	p.certPass.SetText("")
	p.dlg.Hide()
	if p.done != nil {
		p.done(found, res)
	}
}

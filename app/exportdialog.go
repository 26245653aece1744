package app

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"mapvault/app/session"
)

// exportDialog asks File › Export map image…'s options: the size in
// pixels, the DPI and the decorations; Export… then asks where to save.
type exportDialog struct {
	a                         *App
	width, height, dpi        *widget.Entry
	scaleBar, attribution     *widget.Check
	legend, northArrow, title *widget.Check
	errLabel                  *widget.Label
	exportBtn, cancelBtn      *widget.Button
	dlg                       *dialog.CustomDialog
	save                      func(ExportOptions) // asks for the file and exports
}

const exportHelp = "The image is exactly the width × height given. DPI scales symbols and text: " +
	"at 192 DPI they are twice their on-screen size and the image covers half the ground of one at 96 DPI."

// ExportDialog shows File › Export map image….
func (a *App) ExportDialog() {
	e := newExportDialog(a)
	a.export.dlg = e
	e.dlg.Show()
	e.dlg.Resize(fyne.NewSize(480, e.dlg.MinSize().Height))
}

func newExportDialog(a *App) *exportDialog {
	e := &exportDialog{a: a}
	size := a.mapView.Size()
	e.width = widget.NewEntry()
	e.width.SetText(strconv.Itoa(max(1, int(size.Width+0.5))))
	e.height = widget.NewEntry()
	e.height.SetText(strconv.Itoa(max(1, int(size.Height+0.5))))
	e.dpi = widget.NewEntry()
	e.dpi.SetText(strconv.Itoa(baseDPI))
	e.scaleBar = widget.NewCheck("Scale bar", nil)
	e.scaleBar.SetChecked(true)
	e.attribution = widget.NewCheck("Attribution", nil)
	e.attribution.SetChecked(true)
	e.legend = widget.NewCheck("Legend", nil)
	e.northArrow = widget.NewCheck("North arrow", nil)
	e.title = widget.NewCheck("Title", nil)
	e.errLabel = widget.NewLabel("")
	e.errLabel.Importance = widget.DangerImportance
	e.errLabel.Wrapping = fyne.TextWrapWord
	help := widget.NewLabel(exportHelp)
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance
	e.save = e.chooseFile
	form := widget.NewForm(
		widget.NewFormItem("Width (px)", e.width),
		widget.NewFormItem("Height (px)", e.height),
		widget.NewFormItem("DPI", e.dpi),
	)
	checks := container.NewGridWithColumns(3, e.scaleBar, e.attribution, e.legend, e.northArrow, e.title)
	e.exportBtn = widget.NewButton("Export…", e.confirm)
	e.exportBtn.Importance = widget.HighImportance
	e.cancelBtn = widget.NewButton("Cancel", func() { e.dlg.Hide() })
	buttons := container.NewHBox(layout.NewSpacer(), e.cancelBtn, e.exportBtn)
	body := container.NewVBox(form, checks, help, e.errLabel, buttons)
	e.dlg = dialog.NewCustomWithoutButtons("Export map image", body, a.win)
	e.dlg.SetOnClosed(func() {
		if a.export.dlg == e {
			a.export.dlg = nil
		}
	})
	return e
}

// options reads the dialog.
func (e *exportDialog) options() (ExportOptions, error) {
	num := func(name string, en *widget.Entry) (float64, error) {
		v, err := strconv.ParseFloat(strings.TrimSpace(en.Text), 64)
		if err != nil {
			return 0, fmt.Errorf("%w: %s %q is not a number", ErrExportOptions, name, strings.TrimSpace(en.Text))
		}
		return v, nil
	}
	w, err := num("width", e.width)
	if err != nil {
		return ExportOptions{}, err
	}
	h, err := num("height", e.height)
	if err != nil {
		return ExportOptions{}, err
	}
	dpi, err := num("DPI", e.dpi)
	if err != nil {
		return ExportOptions{}, err
	}
	if w != float64(int(w)) || h != float64(int(h)) {
		return ExportOptions{}, fmt.Errorf("%w: width and height are whole pixels", ErrExportOptions)
	}
	o := ExportOptions{Width: int(w), Height: int(h), DPI: dpi, Decorations: session.Decorations{
		ScaleBar: e.scaleBar.Checked, Attribution: e.attribution.Checked, Legend: e.legend.Checked,
		NorthArrow: e.northArrow.Checked, Title: e.title.Checked,
	}}
	return o, o.Validate()
}

// confirm validates the options (showing what is wrong in the dialog) and
// asks where to save.
func (e *exportDialog) confirm() {
	o, err := e.options()
	if err != nil {
		e.errLabel.SetText(err.Error())
		return
	}
	e.errLabel.SetText("")
	e.dlg.Hide()
	e.save(o)
}

// chooseFile asks for the PNG file and exports into it.
func (e *exportDialog) chooseFile(o ExportOptions) {
	a := e.a
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			a.showError(err)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		if !strings.HasSuffix(strings.ToLower(path), ".png") {
			path += ".png"
		}
		a.ExportTo(path, o, nil)
	}, a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png"}))
	name := strings.TrimSpace(a.doc.proj.Title)
	if name == "" {
		name = "map"
	}
	d.SetFileName(name + ".png")
	d.Show()
}

module mapvault

go 1.26.3

require (
	fyne.io/fyne/v2 v2.8.1 // indirect
	github.com/danieljoos/wincred v1.2.3 // indirect
	github.com/flopp/go-coordsparser v0.0.0-20250311184423-61a7ff62d17c // indirect
	github.com/flopp/go-staticmaps v0.0.0-20260318105611-d3eb636a6468 // indirect
	github.com/fogleman/gg v1.3.0 // indirect
	github.com/godbus/dbus/v5 v5.2.2 // indirect
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0 // indirect
	github.com/golang/geo v0.0.0-20260302211937-87f5a40ea07a // indirect
	github.com/mazznoer/csscolorparser v0.1.8 // indirect
	github.com/tkrajina/gpxgo v1.4.0 // indirect
	github.com/twpayne/go-geom v1.7.0 // indirect
	github.com/zalando/go-keyring v0.2.8 // indirect
	golang.org/x/image v0.28.0 // indirect
	golang.org/x/net v0.35.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
	golang.org/x/text v0.26.0 // indirect
)

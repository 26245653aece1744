// Package decor owns the map decorations drawn onto a rendered frame (scale
// bar, attribution, legend, north arrow, title) and the legend image; it is
// the one text renderer of the core.
//
// It uses only the standard library and golang.org/x/image: Go's own fonts
// (goregular, gobold) parsed once per Painter, golang.org/x/image/vector for
// antialiased shapes and golang.org/x/image/draw for scaling legend graphics.
// It must not import Fyne or any other mapvault package; callers hand in what
// to draw (ground resolution, attribution lines, legend entries) and get
// pixels back. Nothing here does I/O.
//
// # Units
//
// Layout is expressed in logical pixels and multiplied by the device pixel
// ratio (Options.Scale, the scale argument of LegendImage): at 2 everything is
// twice as large. Frame.MetersPerPixel is ground metres per logical pixel.
// Text sizes given to DrawText and MeasureText are in device pixels.
//
// # Placement
//
// Decorate puts the scale bar bottom-left, the attribution bottom-right (at
// most half the frame wide), the legend top-right (shrunk to at most 40% of the
// width and 60% of the height, and kept out of the central 30% x 30% box of the
// frame), the north arrow top-left and the title top-centre. The drawing is
// deterministic: the same input gives the same pixels.
package decor

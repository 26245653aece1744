#!/usr/bin/env python3
"""QGIS as a peer of the WMS benchmark (bench/run).

    python3 bench/qgis/render.py URL LAYERS W H MINX MINY MAXX MAXY OUT.png [STYLES]

Renders the WMS layers LAYERS (comma-separated, bottom first) of URL as
separate QGIS layers, as an analyst adds them, into a W x H PNG of the
EPSG:3857 box, with PyQGIS offscreen (QgsMapRendererParallelJob, QGIS's own
parallel renderer: one GetMap per layer per view, clipped to the layer's
extent). STYLES, optional, is a comma-separated list of WMS styles, one per
layer (empty entries: the default style). Each run uses a fresh QGIS profile, so QGIS's network disk cache
starts empty. The last line of standard output is the render's own time in
seconds (from starting the job to the image), like the other peers'.

Needs Debian's python3-qgis (QGIS 3.22).
"""
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv):
    if len(argv) not in (10, 11):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    url, names, w, h = argv[1], argv[2].split(","), int(argv[3]), int(argv[4])
    minx, miny, maxx, maxy = (float(v) for v in argv[5:9])
    out = argv[9]
    styles = argv[10].split(",") if len(argv) == 11 and argv[10] else [""] * len(names)
    if len(styles) != len(names):
        print("qgis: %d STYLES for %d LAYERS" % (len(styles), len(names)), file=sys.stderr)
        return 2
    profile = tempfile.mkdtemp(prefix="mapvault-qgis-")
    os.environ["QGIS_CUSTOM_CONFIG_PATH"] = profile

    from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem,
                           QgsMapRendererParallelJob, QgsMapSettings,
                           QgsRasterLayer, QgsRectangle)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    app = QgsApplication([], False)
    app.setPrefixPath("/usr", True)
    app.initQgis()
    try:
        layers = []
        for name, style in zip(names, styles):
            uri = ("contextualWMSLegend=0&crs=EPSG:3857&dpiMode=7&format=image/png"
                   "&layers=%s&styles=%s&url=%s" % (name, style, url))
            layer = QgsRasterLayer(uri, name, "wms")
            if not layer.isValid():
                print("qgis: layer %s is not valid: %s" % (name, layer.error().summary()), file=sys.stderr)
                return 1
            layers.append(layer)
        settings = QgsMapSettings()
        settings.setLayers(list(reversed(layers)))  # QGIS lists the top layer first
        settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
        settings.setOutputSize(QSize(w, h))
        settings.setExtent(QgsRectangle(minx, miny, maxx, maxy))
        settings.setBackgroundColor(QColor(0, 0, 0, 0))
        start = time.monotonic()
        job = QgsMapRendererParallelJob(settings)
        job.start()
        job.waitForFinished()
        image = job.renderedImage()
        elapsed = time.monotonic() - start
        errors = job.errors()
        if errors:
            for e in errors:
                print("qgis: %s: %s" % (e.layerID, e.message), file=sys.stderr)
            return 1
        if image.width() != w or image.height() != h:
            print("qgis: rendered %dx%d, want %dx%d" % (image.width(), image.height(), w, h), file=sys.stderr)
            return 1
        if not image.save(out, "PNG"):
            print("qgis: could not write %s" % out, file=sys.stderr)
            return 1
        print("%.3f" % elapsed)
        return 0
    finally:
        app.exitQgis()


if __name__ == "__main__":
    sys.exit(main(sys.argv))

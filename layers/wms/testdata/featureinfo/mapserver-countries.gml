<?xml version="1.0" encoding="UTF-8"?>
<msGMLOutput xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<countries_layer>
<gml:name>Countries</gml:name>
<countries_feature>
<gml:boundedBy>
<gml:Box srsName="EPSG:4326">
<gml:coordinates>2.514600,49.529900 6.157900,51.474700</gml:coordinates>
</gml:Box>
</gml:boundedBy>
<id>056</id>
<name>Belgium</name>
</countries_feature>
</countries_layer>
</msGMLOutput>
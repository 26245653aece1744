package wms

import (
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Dimension values in requests (WMS 1.3.0 annex C): TIME and ELEVATION
// are sent under their own names, any other dimension as DIM_<name>.

// DimensionParam returns the request parameter of the dimension named
// name: "TIME", "ELEVATION" or "DIM_<NAME>" (upper-cased; a name that
// already starts with "dim_" is not prefixed twice).
func DimensionParam(name string) string {
	n := strings.ToUpper(strings.TrimSpace(name))
	switch {
	case n == "TIME" || n == "ELEVATION":
		return n
	case strings.HasPrefix(n, "DIM_"):
		return n
	}
	return "DIM_" + n
}

// dimParam is one dimension parameter of a request.
type dimParam struct{ key, value string }

// dimensionParams returns dims as request parameters sorted by parameter
// name; entries with an empty name or value are left out.
func dimensionParams(dims map[string]string) []dimParam {
	var out []dimParam
	for name, v := range dims {
		if strings.TrimSpace(name) == "" || v == "" {
			continue
		}
		out = append(out, dimParam{DimensionParam(name), v})
	}
	slices.SortFunc(out, func(a, b dimParam) int { return strings.Compare(a.key, b.key) })
	return out
}

// ownedWithDimensions returns owned plus the dimension parameters of dims:
// a base URL's own TIME=... is replaced by the layer's.
func ownedWithDimensions(owned map[string]bool, dims []dimParam) map[string]bool {
	if len(dims) == 0 {
		return owned
	}
	out := maps.Clone(owned)
	for _, d := range dims {
		out[d.key] = true
	}
	return out
}

// writeDimensions writes "&KEY=value" per dimension parameter.
func writeDimensions(b *strings.Builder, dims []dimParam) {
	for _, d := range dims {
		b.WriteString("&" + escapeValue(d.key) + "=" + escapeValue(d.value))
	}
}

// cloneDimensions copies dims; nil when empty.
func cloneDimensions(dims map[string]string) map[string]string {
	if len(dims) == 0 {
		return nil
	}
	return maps.Clone(dims)
}

// ErrTooManyValues is returned by DimensionValues when an extent has more
// values than its cap.
var ErrTooManyValues = errors.New("wms: dimension extent has too many values")

// DimensionValues enumerates a dimension extent as the capabilities write
// it (WMS 1.3.0 annex C): a comma-separated list of single values and
// start/end/period intervals. Intervals are expanded with their period,
// an ISO 8601 duration (P1M, PT6H) for times or a number for numeric
// extents. continuous is true, with no values, when an interval has no
// period (or a zero one): any value in it is valid. More than limit values
// give ErrTooManyValues; an interval that cannot be read is an error.
func DimensionValues(extent string, limit int) (values []string, continuous bool, err error) {
	for _, item := range strings.Split(extent, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		parts := strings.Split(item, "/")
		switch len(parts) {
		case 1:
			values = append(values, item)
		case 2, 3:
			period := ""
			if len(parts) == 3 {
				period = strings.TrimSpace(parts[2])
			}
			if zeroPeriod(period) {
				return nil, true, nil
			}
			values, err = expandInterval(values, strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), period, limit)
			if err != nil {
				return nil, false, err
			}
		default:
			return nil, false, errors.New("wms: bad dimension interval " + strconv.Quote(item))
		}
		if len(values) > limit {
			return nil, false, ErrTooManyValues
		}
	}
	return values, false, nil
}

// zeroPeriod reports a missing or zero period: a continuous interval.
func zeroPeriod(p string) bool {
	if p == "" || p == "0" {
		return true
	}
	if f, err := strconv.ParseFloat(p, 64); err == nil {
		return f == 0
	}
	d, err := parseISODuration(p)
	return err == nil && d == (isoDuration{})
}

// expandInterval appends start, start+period, ... up to end to values.
func expandInterval(values []string, start, end, period string, limit int) ([]string, error) {
	bad := errors.New("wms: bad dimension interval " + strconv.Quote(start+"/"+end+"/"+period))
	if step, err := strconv.ParseFloat(period, 64); err == nil { // a numeric extent
		lo, err1 := strconv.ParseFloat(start, 64)
		hi, err2 := strconv.ParseFloat(end, 64)
		if err1 != nil || err2 != nil || !(step > 0) || !(hi >= lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
			return nil, bad
		}
		decimals := max(decimalsOf(start), decimalsOf(end), decimalsOf(period))
		for i := 0; ; i++ {
			v := lo + float64(i)*step
			if v > hi+step*1e-9 {
				break
			}
			if len(values) >= limit {
				return nil, ErrTooManyValues
			}
			values = append(values, strconv.FormatFloat(v, 'f', decimals, 64))
		}
		return values, nil
	}
	layout, t0, ok := parseDimTime(start)
	if !ok {
		return nil, bad
	}
	_, t1, ok := parseDimTime(end)
	d, err := parseISODuration(period)
	if !ok || err != nil || t1.Before(t0) {
		return nil, bad
	}
	for i := 0; ; i++ {
		t := d.addTo(t0, i)
		if t.After(t1) {
			break
		}
		if len(values) >= limit {
			return nil, ErrTooManyValues
		}
		values = append(values, t.Format(layout))
	}
	return values, nil
}

// decimalsOf counts the digits after a number's decimal point.
func decimalsOf(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		n := 0
		for _, c := range s[i+1:] {
			if c < '0' || c > '9' {
				break
			}
			n++
		}
		return n
	}
	return 0
}

// dimTimeLayouts are the ISO 8601 forms a time extent is read in; values
// are written back in the form of the interval's start.
var dimTimeLayouts = []string{
	"2006-01-02T15:04:05.000Z07:00",
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

func parseDimTime(s string) (layout string, t time.Time, ok bool) {
	for _, l := range dimTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return l, t, true
		}
	}
	return "", time.Time{}, false
}

// isoDuration is an ISO 8601 duration: calendar parts and a clock part.
type isoDuration struct {
	years, months, days int
	clock               time.Duration
}

// addTo returns t plus n times d, calendar parts added with AddDate (so
// that P1M from January 31 steps by months from the start, not drifting).
func (d isoDuration) addTo(t time.Time, n int) time.Time {
	return t.AddDate(d.years*n, d.months*n, d.days*n).Add(d.clock * time.Duration(n))
}

// parseISODuration reads PnYnMnWnDTnHnMnS (integer parts; seconds may
// have a fraction).
func parseISODuration(s string) (isoDuration, error) {
	var d isoDuration
	bad := errors.New("wms: bad ISO 8601 duration " + strconv.Quote(s))
	if len(s) < 2 || (s[0] != 'P' && s[0] != 'p') {
		return d, bad
	}
	s = strings.ToUpper(s[1:])
	inTime := false
	num := ""
	for _, c := range s {
		switch {
		case c == 'T' && !inTime && num == "":
			inTime = true
		case c >= '0' && c <= '9' || c == '.':
			num += string(c)
		default:
			if num == "" {
				return d, bad
			}
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f > 1e6 {
				return d, bad
			}
			whole := f == math.Trunc(f)
			switch {
			case !inTime && c == 'Y' && whole:
				d.years = int(f)
			case !inTime && c == 'M' && whole:
				d.months = int(f)
			case !inTime && c == 'W' && whole:
				d.days += 7 * int(f)
			case !inTime && c == 'D' && whole:
				d.days += int(f)
			case inTime && c == 'H':
				d.clock += time.Duration(f * float64(time.Hour))
			case inTime && c == 'M':
				d.clock += time.Duration(f * float64(time.Minute))
			case inTime && c == 'S':
				d.clock += time.Duration(f * float64(time.Second))
			default:
				return d, bad
			}
			num = ""
		}
	}
	if num != "" {
		return d, bad
	}
	return d, nil
}

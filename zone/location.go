package zone

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/ringsaturn/tzf"
)

// ErrNoZone is returned by FromLocation for a point it cannot place: not a
// valid latitude and longitude, or a zone the tzdata does not know.
var ErrNoZone = errors.New("no time zone for this location")

// finder is tzf's finder over its embedded boundaries (timezone-boundary-
// builder, with oceans). Building it takes about a second and keeps about
// 30 MiB, so it is built on the first shared location, not at start.
var finder = sync.OnceValues(tzf.NewDefaultFinder)

// FromLocation returns the time zone at latitude lat and longitude lon, in
// degrees, as a Telegram location gives them. Open sea gets its nautical
// zone (Etc/GMT±n). The first call takes about a second; later ones
// microseconds. It is safe for concurrent use.
func FromLocation(lat, lon float64) (*time.Location, error) {
	if math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return nil, fmt.Errorf("%w: %v, %v is not a place on Earth", ErrNoZone, lat, lon)
	}
	f, err := finder()
	if err != nil {
		return nil, fmt.Errorf("load time zone boundaries: %w", err)
	}
	name := f.GetTimezoneName(lon, lat)
	if name == "" {
		return nil, fmt.Errorf("%w: %v, %v", ErrNoZone, lat, lon)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: zone %q at %v, %v does not load: %v", ErrNoZone, name, lat, lon, err)
	}
	return loc, nil
}

//go:build !unix

package vault

import "time"

// processCPU is 0 where it is not known: the timing tests use wall time.
func processCPU() time.Duration { return 0 }

//go:build !unix

package demo

import "time"

// processCPU is unknown here; benchmarks then report 0 cpu-ns/op.
func processCPU() time.Duration { return 0 }

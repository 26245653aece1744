//go:build unix

package vector

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time this process has used; benchmarks report
// it per op because wall time is unreliable on a shared, loaded machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

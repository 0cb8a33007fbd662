package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// describeMachine names the CPU, the kernel, the Go and Node versions, and the
// pinning, for the report.
func describeMachine(c *config) string {
	model, cores := "", 0
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			k, v, _ := strings.Cut(line, ":")
			switch strings.TrimSpace(k) {
			case "model name":
				model = strings.TrimSpace(v)
			case "processor":
				cores++
			}
		}
	}
	if cores == 0 {
		cores = runtime.NumCPU()
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	goVersion := output("go", "env", "GOVERSION")
	nodeVersion := output("node", "--version")
	s := fmt.Sprintf("%d CPUs (%s), Linux %s, %s, node %s", cores, model, strings.TrimSpace(string(kernel)), goVersion, nodeVersion)
	if c.pin {
		s += fmt.Sprintf("; servers pinned to CPU %s, load generators to CPU %s (taskset)", c.serverCPU, c.loadCPU)
	} else {
		s += "; unpinned"
	}
	return s
}

func output(name string, args ...string) string {
	b, err := exec.Command(name, args...).Output()
	if err != nil {
		return "(" + name + " not found)"
	}
	return strings.TrimSpace(string(b))
}

// loadAvg is the 1, 5 and 15 minute load averages, to tell a quiet run from a
// disturbed one.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// userHZ is the unit of the times in /proc/PID/stat: 100 on every Linux ABI
// Go supports.
const userHZ = 100

// procCPU is the user+system CPU seconds process pid has used, -1 if unknown.
func procCPU(pid int) float64 {
	if pid <= 0 {
		return -1
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(b)
	// The command name (field 2) may hold spaces; the fields after it do not.
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return -1
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / userHZ
}

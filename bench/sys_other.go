//go:build !linux

package main

// The benchmark runs on Linux only (it reads /proc and pins with taskset);
// elsewhere it builds, so that go build ./... and go vet ./... pass on
// every platform the runtime supports.

func raiseNofile() uint64 { return 0 }

func selfCPU() float64 { return -1 }

func alive(int) error { return nil }

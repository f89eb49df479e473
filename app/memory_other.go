//go:build !linux

package app

// releaseCompilerCode does nothing where there is no /proc/self/maps.
func releaseCompilerCode() {}

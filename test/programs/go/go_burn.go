// Known truth: a Go program built with cgo (dynamically linked, so LD_PRELOAD reaches it)
// that burns CPU in main.burnGo for the seconds given, then returns from main. Go's exit is a
// raw exit_group: no destructor or atexit handler of the agent runs, so only the reports made
// while it ran reach the output directory.
package main

// #include <stdlib.h>
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

//go:noinline
func burnGo(until time.Time) uint64 {
	var x uint64 = 1
	for time.Now().Before(until) {
		for i := 0; i < 100000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	return x
}

func main() {
	seconds, _ := strconv.ParseFloat(os.Args[1], 64)
	block := C.malloc(16) // cgo: the program is linked against libc
	C.free(block)
	fmt.Println("burned", burnGo(time.Now().Add(time.Duration(seconds*float64(time.Second)))) != 0)
}

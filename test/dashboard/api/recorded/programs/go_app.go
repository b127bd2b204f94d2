package main

import (
	"errors"
	"math"
	"os"
	"sync"
	"time"

	"github.com/stackimpact/stackimpact-go"
)

var leak [][]byte
var lock sync.Mutex

func cpuWork() float64 {
	x := 0.0
	for i := 0; i < 30000000; i++ {
		x += math.Sqrt(float64(i))
	}
	return x
}

func leakMemory() { leak = append(leak, make([]byte, 64*1024)) }

func waitOnChannel() {
	c := make(chan int)
	go func() { time.Sleep(20 * time.Millisecond); c <- 1 }()
	<-c
}

func holdLock() { lock.Lock(); time.Sleep(5 * time.Millisecond); lock.Unlock() }

func failSometimes(agent *stackimpact.Agent) { agent.RecordError(errors.New("payment declined")) }

func main() {
	agent := stackimpact.Start(stackimpact.Options{
		AgentKey: "si_key", AppName: "go-recorded", AppVersion: "1.0.0", AppEnvironment: "test",
		DashboardAddress: os.Getenv("DASHBOARD"), Debug: true,
	})
	go func() { for { holdLock() } }()
	deadline := time.Now().Add(200 * time.Second)
	for time.Now().Before(deadline) {
		cpuWork()
		leakMemory()
		waitOnChannel()
		holdLock()
		failSometimes(agent)
		time.Sleep(10 * time.Millisecond)
	}
}

package redistest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/testutil"
)

// Cluster is a Redis Cluster of masters without replicas, every slot
// assigned, made by redis-cli --cluster create.
type Cluster struct {
	// Addrs are the masters' 127.0.0.1:port addresses.
	Addrs   []string
	Masters []*Server
}

// StartCluster starts n redis-servers in cluster mode (n >= 3, as
// redis-cli requires), joins them into one cluster and waits until every
// node reports cluster_state:ok.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	cli := requireCLI(t)
	c := &Cluster{}
	for range n {
		s := StartWith(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
		c.Masters = append(c.Masters, s)
		c.Addrs = append(c.Addrs, s.Addr)
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, addr := range c.Addrs {
		for {
			info, err := command(addr, "CLUSTER", "INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cluster node %s not ok within 20s: %q, %v", addr, info, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c
}

// Sentinel is a master, its replica and one Sentinel watching the master
// under the name MasterName, with a quorum of one.
type Sentinel struct {
	Master, Replica *Server
	// Addr is the Sentinel's 127.0.0.1:port.
	Addr string

	MasterName string
}

// StartSentinel starts a master, a replica of it and a Sentinel that
// declares the master down after 500 ms of silence and promotes the
// replica. It returns once the Sentinel knows the replica.
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	path := Require(t)
	s := &Sentinel{MasterName: "siogen"}
	s.Master = Start(t)
	host, port, _ := net.SplitHostPort(s.Master.Addr)
	s.Replica = StartWith(t, "--replicaof", host, port)

	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	addr := freeAddr(t)
	_, sport, _ := net.SplitHostPort(addr)
	text := fmt.Sprintf("bind 127.0.0.1\nport %s\ndir %s\nsentinel monitor %s %s %s 1\n"+
		"sentinel down-after-milliseconds %s 500\nsentinel failover-timeout %s 5000\n",
		sport, dir, s.MasterName, host, port, s.MasterName, s.MasterName)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out := &testutil.Buffer{}
	cmd := exec.Command(path, conf, "--sentinel")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("sentinel output:\n%s", out.String())
		}
	})
	s.Addr = addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		replicas, err := command(addr, "SENTINEL", "REPLICAS", s.MasterName)
		if err == nil && strings.Contains(replicas, s.Replica.Addr[strings.LastIndex(s.Replica.Addr, ":")+1:]) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("sentinel %s does not know the replica within 20s: %q, %v\n%s", addr, replicas, err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// MasterAddr asks the Sentinel for the current master's address.
func (s *Sentinel) MasterAddr() (string, error) {
	out, err := command(s.Addr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", s.MasterName)
	if err != nil {
		return "", err
	}
	f := strings.Fields(out)
	if len(f) != 2 {
		return "", fmt.Errorf("sentinel answered %q", out)
	}
	return net.JoinHostPort(f[0], f[1]), nil
}

func requireCLI(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-cli")
	if err != nil {
		msg := "redis-cli is not installed (run scripts/test.sh, or: apt-get install redis-tools)"
		testutil.Missing(t, msg)
	}
	return path
}

// command sends one command and returns its answer: the text of a simple
// or bulk string, the elements of an array (flattened, one level) joined
// by spaces, or an error for an error reply.
func command(addr string, args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	var parts []string
	if err := readReply(r, &parts, 0); err != nil {
		return "", err
	}
	return strings.Join(parts, " "), nil
}

func readReply(r *bufio.Reader, parts *[]string, depth int) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return fmt.Errorf("empty reply")
	}
	switch line[0] {
	case '+', ':':
		*parts = append(*parts, line[1:])
	case '-':
		return fmt.Errorf("redis: %s", line[1:])
	case '$':
		var n int
		fmt.Sscan(line[1:], &n)
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		*parts = append(*parts, string(buf[:n]))
	case '*':
		var n int
		fmt.Sscan(line[1:], &n)
		if depth > 4 {
			return fmt.Errorf("reply nested too deep")
		}
		for range n {
			if err := readReply(r, parts, depth+1); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unexpected reply %q", line)
	}
	return nil
}

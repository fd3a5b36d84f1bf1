package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// RedisConfig says where a private Redis runs and how it is reached.
type RedisConfig struct {
	// Dir is the server's working directory (created if missing). Nothing is persisted
	// there: snapshots and the append-only file are off, so a restart starts empty.
	Dir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free one.
	Port int
	// Log receives the server's output; nil appends it to Dir/redis.log.
	Log io.Writer
}

// Redis is a running private redis-server on 127.0.0.1 without persistence.
type Redis struct {
	srv  *server
	port int
	cfg  RedisConfig // as started, Port set: Restart reuses it
}

// redisReadyTimeout bounds how long StartRedis waits for PING to answer.
const redisReadyTimeout = 30 * time.Second

// StartRedis starts redis-server as a child process and returns once PING answers.
// If the server exits while starting, the error carries the end of its output. The
// caller must Stop it; if the caller dies instead, the kernel kills the server.
func StartRedis(ctx context.Context, cfg RedisConfig) (*Redis, error) {
	if cfg.Dir == "" {
		return nil, errors.New("start redis: RedisConfig.Dir is empty")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("start redis: redis-server not found in PATH: "+
			"install redis-server (apt-get install redis-server): %w", ErrNotInstalled)
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("start redis: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("start redis: %w", err)
	}
	log, logFile, err := openLog(cfg.Log, dir, "redis.log")
	if err != nil {
		return nil, fmt.Errorf("start redis: %w", err)
	}
	srv, port, err := startOnPort(cfg.Port, func(port int) (*server, error) {
		cmd := exec.Command(bin,
			"--port", strconv.Itoa(port),
			"--bind", "127.0.0.1",
			"--dir", dir,
			"--save", "",
			"--appendonly", "no",
			"--daemonize", "no",
		)
		cmd.Dir = dir
		srv, err := startServer("redis-server", cmd, log)
		if err != nil {
			return nil, err
		}
		r := &Redis{srv: srv, port: port}
		if err := r.waitReady(ctx); err != nil {
			_ = srv.stop(syscall.SIGKILL, 0)
			return nil, err
		}
		return srv, nil
	})
	closeWhenDone(srv, logFile)
	if err != nil {
		return nil, fmt.Errorf("start redis: %w", err)
	}
	return &Redis{srv: srv, port: port, cfg: RedisConfig{Dir: dir, Port: port, Log: cfg.Log}}, nil
}

// waitReady polls PING until it answers, the process exits, ctx ends or
// redisReadyTimeout passes.
func (r *Redis) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, redisReadyTimeout)
	defer cancel()
	client := redis.NewClient(&redis.Options{
		Addr:                     r.Addr(),
		DialTimeout:              time.Second,
		MaxRetries:               -1,
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	defer client.Close()
	var last error
	for {
		if r.srv.exited() {
			return r.srv.exitError()
		}
		// Dial first: go-redis logs every refused pool dial, which is noise here.
		var conn net.Conn
		if conn, last = (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", r.Addr()); last == nil {
			_ = conn.Close()
			if last = client.Ping(ctx).Err(); last == nil {
				return nil
			}
		}
		select {
		case <-r.srv.done:
		case <-ctx.Done():
			return fmt.Errorf("wait for redis on port %d: %w (last error: %w)\n--- last output ---\n%s",
				r.port, ctx.Err(), last, r.srv.tail.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// URL returns the server's address as a redis:// URL for database 0.
func (r *Redis) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// Addr returns the server's host:port.
func (r *Redis) Addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

// Stop shuts the server down with SIGTERM and kills it after 15 s. It is idempotent
// and safe to call on a server that already exited; tests use it to simulate a
// Redis outage.
func (r *Redis) Stop() error {
	return r.srv.stop(syscall.SIGTERM, 15*time.Second)
}

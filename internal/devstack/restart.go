package devstack

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Outages for the fault tests: a server stopped and started again on the same
// port, so the clients that know its address (Firebreak's pools) reconnect by
// themselves once it is back — the way a database restart or a Redis failover
// looks from the application. None of these is safe to call concurrently with
// Stop or with each other on the same server.

// Restart stops Postgres (fast shutdown: sessions are cut, in-flight
// transactions roll back) and starts it again on the same port with the same
// data, returning once it answers SELECT 1. Committed data survives; that is
// what distinguishes a restart from losing the database.
func (p *Postgres) Restart(ctx context.Context) error {
	if err := p.Stop(); err != nil {
		return fmt.Errorf("restart postgres: %w", err)
	}
	return p.Start(ctx)
}

// Start starts a stopped Postgres again on its port with its data (after Stop,
// so a test can hold the outage as long as it likes). It fails when the server
// is still running.
func (p *Postgres) Start(ctx context.Context) error {
	if !p.srv.exited() {
		return fmt.Errorf("start postgres on port %d: it is still running", p.port)
	}
	np, err := StartPostgres(ctx, p.cfg)
	if err != nil {
		return fmt.Errorf("start postgres again: %w", err)
	}
	p.srv = np.srv
	return nil
}

// Restart stops Redis and starts it again on the same port. Redis runs without
// persistence, so it comes back empty: every queued, scheduled and running
// task is gone, which is the Redis loss Firebreak's reconciler must survive.
func (r *Redis) Restart(ctx context.Context) error {
	if err := r.Stop(); err != nil {
		return fmt.Errorf("restart redis: %w", err)
	}
	return r.Start(ctx)
}

// Start starts a stopped Redis again on its port, empty.
func (r *Redis) Start(ctx context.Context) error {
	if !r.srv.exited() {
		return fmt.Errorf("start redis on port %d: it is still running", r.port)
	}
	nr, err := StartRedis(ctx, r.cfg)
	if err != nil {
		return fmt.Errorf("start redis again: %w", err)
	}
	r.srv = nr.srv
	return nil
}

// Flush deletes every key of every database (FLUSHALL) while Redis keeps
// running: the data loss without the outage.
func (r *Redis) Flush(ctx context.Context) error {
	client := redis.NewClient(&redis.Options{
		Addr:                     r.Addr(),
		DialTimeout:              time.Second,
		MaxRetries:               -1,
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	defer client.Close()
	if err := client.FlushAll(ctx).Err(); err != nil {
		return fmt.Errorf("flush redis: %w", err)
	}
	return nil
}

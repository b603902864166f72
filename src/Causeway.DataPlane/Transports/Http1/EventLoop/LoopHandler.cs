namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>Something registered with a <see cref="Loop"/>: a file descriptor and what to do with its events.</summary>
internal abstract class LoopHandler
{
    protected LoopHandler(Loop loop, int fd)
    {
        Loop = loop;
        Fd = fd;
    }

    public Loop Loop { get; }
    public int Fd { get; }

    /// <summary>Slot and generation in the loop's table (0 when not registered); stale events never match it.</summary>
    public ulong Token { get; set; }

    /// <summary>When <see cref="OnDeadline"/> runs (Environment.TickCount64 milliseconds); 0 for never.</summary>
    public long Deadline { get; set; }

    /// <summary>epoll reported <paramref name="events"/> (a mask of Native.Epoll*).</summary>
    public abstract void OnEvents(uint events);

    /// <summary>The deadline passed (checked about every 100 ms).</summary>
    public virtual void OnDeadline() => Deadline = 0;

    /// <summary>Work put off until the events of the loop's current wake-up were handled (<see cref="Loop.Defer"/>).</summary>
    public virtual void OnDeferred()
    {
    }

    /// <summary>An exception escaped <see cref="OnEvents"/> or <see cref="OnDeadline"/>: release everything now.</summary>
    public abstract void Abort(string reason);
}

using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// One event-loop thread: an epoll set over non-blocking sockets (client connections, their backend connections and
/// the listening sockets it accepts from), a table of handlers keyed by the epoll token, commands posted by other
/// threads (woken through an eventfd), deadlines checked every 100 ms, and this loop's idle backend connections. All
/// state is touched by the loop thread only; other threads go through <see cref="Post"/>.
/// </summary>
internal sealed unsafe partial class Loop : IDisposable
{
    private const int MaxEvents = 256;
    private const int SweepMs = 100;
    private const ulong WakeToken = ulong.MaxValue;

    private readonly int _epfd;
    private readonly int _wakefd;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly ILogger _logger;
    private LoopHandler?[] _handlers = new LoopHandler?[64];
    private uint[] _generations = new uint[64];
    private readonly Stack<int> _free = new();
    private int _used;
    private volatile bool _stopping;
    private long _nextSweep;

    public Loop(Http1FastPath owner, int index, ILogger logger)
    {
        Owner = owner;
        _logger = logger;
        _epfd = Native.epoll_create1(Native.SockCloExec);
        if (_epfd < 0) throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        _wakefd = Native.eventfd(0, Native.EfdNonBlock | Native.EfdCloExec);
        if (_wakefd < 0)
        {
            Native.close(_epfd);
            throw new IOException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        }
        Native.Add(_epfd, _wakefd, Native.EpollIn, WakeToken);
        _thread = new Thread(Run) { IsBackground = true, Name = $"Causeway loop {index}" };
        _thread.Start();
    }

    public Http1FastPath Owner { get; }

    private byte[]? _tlsScratch;

    /// <summary>
    /// This loop's buffer for TLS records between the socket and a connection's OpenSSL session (a full record and
    /// then some): ciphertext only passes through it, so the connections share it (the loop thread only).
    /// </summary>
    public byte[] TlsScratch => _tlsScratch ??= new byte[17 * 1024];
    public DataPlaneOptions Options => Owner.Options;

    /// <summary>Milliseconds (Environment.TickCount64) as of the last wake-up.</summary>
    public long Now { get; private set; } = Environment.TickCount64;

    /// <summary>Runs <paramref name="command"/> on the loop thread soon.</summary>
    public void Post(Action command)
    {
        _commands.Enqueue(command);
        ulong one = 1;
        Native.write(_wakefd, (byte*)&one, sizeof(ulong));
    }

    /// <summary>Adds <paramref name="handler"/>'s descriptor to the epoll set; false (nothing registered) on failure.</summary>
    public bool Register(LoopHandler handler, uint events)
    {
        int slot;
        if (_free.Count > 0) slot = _free.Pop();
        else
        {
            if (_used == _handlers.Length)
            {
                Array.Resize(ref _handlers, _handlers.Length * 2);
                Array.Resize(ref _generations, _generations.Length * 2);
            }
            slot = _used++;
        }
        var token = ((ulong)++_generations[slot] << 32) | (uint)slot;
        _handlers[slot] = handler;
        handler.Token = token;
        if (Native.Add(_epfd, handler.Fd, events, token) == 0) return true;
        _handlers[slot] = null;
        handler.Token = 0;
        _free.Push(slot);
        return false;
    }

    /// <summary>Removes <paramref name="handler"/> from the epoll set (its descriptor stays open).</summary>
    public void Unregister(LoopHandler handler)
    {
        if (handler.Token == 0) return;
        Native.Remove(_epfd, handler.Fd);
        Forget(handler);
    }

    /// <summary>Drops <paramref name="handler"/> from the table only: its descriptor was closed (which left the epoll set).</summary>
    public void Forget(LoopHandler handler)
    {
        if (handler.Token == 0) return;
        var slot = (int)(uint)handler.Token;
        _handlers[slot] = null;
        handler.Token = 0;
        _free.Push(slot);
    }

    /// <summary>Every registered handler of type <typeparamref name="T"/> (a snapshot, for commands).</summary>
    public List<T> Handlers<T>() where T : LoopHandler
    {
        var result = new List<T>();
        for (var i = 0; i < _used; i++)
        {
            if (_handlers[i] is T h) result.Add(h);
        }
        return result;
    }

    private void Run()
    {
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Native.EpollEventSize));
        try
        {
            _nextSweep = Environment.TickCount64 + SweepMs;
            while (!_stopping)
            {
                var n = Native.epoll_wait(_epfd, events, MaxEvents, SweepMs);
                Now = Environment.TickCount64;
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Native.EIntr) continue;
                    LogLoopFailed($"epoll_wait failed: errno {errno}");
                    break;
                }
                for (var i = 0; i < n; i++)
                {
                    var token = Native.EventData(events, i);
                    if (token == WakeToken)
                    {
                        ulong value;
                        Native.read(_wakefd, (byte*)&value, sizeof(ulong));
                        continue;
                    }
                    var h = _handlers[(int)(uint)token];
                    if (h is null || h.Token != token) continue; // closed earlier in this batch
                    Dispatch(h, Native.EventMask(events, i));
                }
                while (_commands.TryDequeue(out var command)) Execute(command);
                RunDeferred();
                if (Now >= _nextSweep) Sweep();
            }
        }
        finally
        {
            NativeMemory.Free(events);
            while (_commands.TryDequeue(out var command)) Execute(command);
            for (var i = 0; i < _used; i++) _handlers[i]?.Abort("the data plane stopped");
            Native.close(_wakefd);
            Native.close(_epfd);
        }
    }

    private readonly List<LoopHandler> _deferred = new();

    /// <summary>
    /// Runs <paramref name="handler"/>'s <see cref="LoopHandler.OnDeferred"/> once after the events of this wake-up
    /// (an HTTP/2 connection writes what several backends' events produced in one go).
    /// </summary>
    public void Defer(LoopHandler handler) => _deferred.Add(handler);

    private void RunDeferred()
    {
        for (var i = 0; i < _deferred.Count; i++)
        {
            var h = _deferred[i];
            if (h.Token != 0) Guarded(h, Work.Deferred); // else closed meanwhile
        }
        _deferred.Clear();
    }

    private void Dispatch(LoopHandler h, uint mask) => Guarded(h, Work.Events, mask);

    private enum Work { Events, Deadline, Deferred }

    /// <summary>Runs a handler's <paramref name="work"/>; what escapes it aborts the handler (and only it).</summary>
    private void Guarded(LoopHandler h, Work work, uint mask = 0)
    {
        try
        {
            switch (work)
            {
                case Work.Events:
                    h.OnEvents(mask);
                    break;
                case Work.Deadline:
                    h.OnDeadline();
                    break;
                default:
                    h.OnDeferred();
                    break;
            }
        }
        catch (ClientGoneException ex)
        {
            h.Abort(ex.Message); // the client went away mid-response: routine, logged at debug level
        }
        catch (Exception ex)
        {
            LogHandlerFailed(ex);
            h.Abort(ex.Message);
        }
    }

    private void Execute(Action command)
    {
        try
        {
            command();
        }
        catch (Exception ex)
        {
            LogHandlerFailed(ex);
        }
    }

    private void Sweep()
    {
        _nextSweep = Now + SweepMs;
        for (var i = 0; i < _used; i++)
        {
            var h = _handlers[i];
            if (h is null || h.Deadline == 0 || h.Deadline > Now) continue;
            Guarded(h, Work.Deadline);
        }
        SweepIdleBackends();
    }

    /// <summary>Stops the thread; whatever is still registered is closed on its way out.</summary>
    public void Dispose()
    {
        _stopping = true;
        Post(static () => { });
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(5));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "fast-path event loop stopped: {Reason}")]
    private partial void LogLoopFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "fast-path event loop: a connection failed")]
    private partial void LogHandlerFailed(Exception ex);
}

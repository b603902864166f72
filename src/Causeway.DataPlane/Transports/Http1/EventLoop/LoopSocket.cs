using System.Runtime.InteropServices;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// A connected non-blocking socket on a loop (a client connection or a backend connection), registered
/// edge-triggered for reads and writes. Readiness is remembered nginx-style: <see cref="Readable"/> is set by epoll and
/// cleared once a read leaves the socket drained (a short read, or EAGAIN), so the loop never reads speculatively; a
/// short read does not clear it after the peer's end of stream was reported, so the read that returns it still happens.
/// <see cref="Writable"/> likewise, for sends.
/// </summary>
internal abstract unsafe class LoopSocket(Loop loop, int fd) : LoopHandler(loop, fd)
{
    /// <summary>epoll reported the peer's end of stream (or an error): reads go on until they return it.</summary>
    private bool _peerClosed;

    /// <summary>epoll said readable since the last read that left the socket drained.</summary>
    public bool Readable { get; set; }

    /// <summary>The kernel took everything of the last send (or epoll said writable since it did not).</summary>
    public bool Writable { get; set; } = true;

    /// <summary>The errno of the last <see cref="Receive"/> or <see cref="Send"/> that returned -2.</summary>
    public int LastError { get; private set; }

    /// <summary>Records what an epoll event says about the socket.</summary>
    protected void NoteReadiness(uint events)
    {
        if ((events & (Native.EpollIn | Native.EpollRdHup | Native.EpollHup | Native.EpollErr)) != 0) Readable = true;
        if ((events & (Native.EpollRdHup | Native.EpollHup | Native.EpollErr)) != 0) _peerClosed = true;
        if ((events & (Native.EpollOut | Native.EpollHup | Native.EpollErr)) != 0) Writable = true;
    }

    /// <summary>One read into <paramref name="into"/>: bytes read, 0 at end of stream, -1 when nothing is there, -2 on error.</summary>
    public int Receive(Span<byte> into)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = into) n = Native.recv(Fd, p, into.Length, 0);
            if (n > 0)
            {
                if (n < into.Length && !_peerClosed) Readable = false;
                return (int)n;
            }
            if (n == 0) return 0;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Native.EIntr) continue;
            if (errno == Native.EAgain)
            {
                Readable = false;
                return -1;
            }
            LastError = errno;
            return -2;
        }
    }

    /// <summary>One send from <paramref name="bytes"/>: bytes taken, -1 when the kernel takes nothing now, -2 on error.</summary>
    public int Send(ReadOnlySpan<byte> bytes)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = bytes) n = Native.send(Fd, p, bytes.Length, Native.MsgNoSignal);
            if (n >= 0)
            {
                if (n < bytes.Length) Writable = false;
                return (int)n;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Native.EIntr) continue;
            if (errno == Native.EAgain)
            {
                Writable = false;
                return -1;
            }
            LastError = errno;
            return -2;
        }
    }
}

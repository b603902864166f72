using System.Runtime.InteropServices;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// The Linux system calls the fast path's event loop makes itself (epoll, non-blocking sockets), with the constants of
/// the generic Linux ABI shared by x86-64 and arm64 (the only platforms <see cref="IsSupported"/> admits).
/// </summary>
internal static unsafe partial class Native
{
    private const string Libc = "libc";

    public const int EpollCtlAdd = 1, EpollCtlDel = 2;
    public const uint EpollIn = 0x001, EpollOut = 0x004, EpollErr = 0x008, EpollHup = 0x010, EpollRdHup = 0x2000;
    public const uint EpollExclusive = 1u << 28, EpollEt = 1u << 31;
    public const int SockStream = 1, SockNonBlock = 0x800, SockCloExec = 0x80000;
    public const int AfUnix = 1, AfInet = 2, AfInet6 = 10;
    public const int EAgain = 11, EIntr = 4, EInProgress = 115, EMFile = 24, ENFile = 23, ENoBufs = 105, ENoMem = 12;
    public const int MsgNoSignal = 0x4000, MsgPeek = 0x2;
    public const int IpProtoTcp = 6, TcpNoDelay = 1, SolSocket = 1, SoError = 4;
    public const int SoKeepAlive = 9, TcpKeepIdle = 4, TcpKeepIntvl = 5, TcpKeepCnt = 6;
    public const int EfdNonBlock = 0x800, EfdCloExec = 0x80000;
    public const int SoLinger = 13, SoSndBuf = 7, SoRcvBuf = 8;
    public const short PollOut = 0x004, PollErr = 0x008, PollHup = 0x010;

    /// <summary>Linux on x86-64 or arm64: where the layouts and constants above hold.</summary>
    public static bool IsSupported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>struct epoll_event is packed (12 bytes) on x86-64 and naturally aligned (16 bytes) on arm64.</summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public static uint EventMask(byte* events, int i) => *(uint*)(events + i * EpollEventSize);
    public static ulong EventData(byte* events, int i) => *(ulong*)(events + i * EpollEventSize + EpollDataOffset);

    /// <summary>The socket() domain of an endpoint's address family (IPv4, Unix, else IPv6).</summary>
    public static int Family(System.Net.Sockets.AddressFamily family) => family switch
    {
        System.Net.Sockets.AddressFamily.InterNetwork => AfInet,
        System.Net.Sockets.AddressFamily.Unix => AfUnix,
        _ => AfInet6,
    };

    /// <summary>Adds <paramref name="fd"/> to an epoll set; returns errno or 0.</summary>
    public static int Add(int epfd, int fd, uint events, ulong data)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + EpollDataOffset) = data;
        return epoll_ctl(epfd, EpollCtlAdd, fd, ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static void Remove(int epfd, int fd)
    {
        var ev = stackalloc byte[16];
        epoll_ctl(epfd, EpollCtlDel, fd, ev);
    }

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint recv(int fd, byte* buf, nint len, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint send(int fd, byte* buf, nint len, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int accept4(int fd, byte* addr, int* addrlen, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int getsockname(int fd, byte* addr, int* addrlen);

    /// <summary>The local address of a connected socket (IPv4-mapped IPv6 as IPv4), or null.</summary>
    public static System.Net.IPEndPoint? LocalEndPoint(int fd)
    {
        var address = new System.Net.SocketAddress(System.Net.Sockets.AddressFamily.InterNetworkV6); // room for either family
        var length = address.Buffer.Length;
        int rc;
        fixed (byte* p = address.Buffer.Span) rc = getsockname(fd, p, &length);
        if (rc != 0) return null;
        address.Size = length;
        var any = address.Family switch
        {
            System.Net.Sockets.AddressFamily.InterNetwork => System.Net.IPAddress.Any,
            System.Net.Sockets.AddressFamily.InterNetworkV6 => System.Net.IPAddress.IPv6Any,
            _ => null,
        };
        if (any is null) return null;
        var ep = (System.Net.IPEndPoint)new System.Net.IPEndPoint(any, 0).Create(address);
        return ep.Address.IsIPv4MappedToIPv6 ? new System.Net.IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;
    }

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int connect(int fd, byte* addr, int addrlen);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, int* value, int len);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int name, int* value, int* len);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* fds);

    public const int ShutWr = 1;

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    /// <summary>Closes <paramref name="fd"/> with a reset instead of a FIN exchange (SO_LINGER 0): no TIME_WAIT left behind.</summary>
    public static void Abort(int fd)
    {
        var linger = stackalloc int[2];
        linger[0] = 1;
        linger[1] = 0;
        setsockopt(fd, SolSocket, SoLinger, linger, 2 * sizeof(int));
        close(fd);
    }

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint len);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nint len);
}

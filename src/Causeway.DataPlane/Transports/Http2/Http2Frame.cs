using System.Buffers.Binary;

namespace Causeway.DataPlane.Transports.Http2;

/// <summary>Frame types, flags and setting identifiers of RFC 9113, and the 9-byte frame header.</summary>
internal static class Http2Frame
{
    public const int HeaderLength = 9;
    public const int DefaultMaxFrameSize = 16384;
    public const int MaxAllowedFrameSize = 16777215;
    public const int DefaultWindowSize = 65535;
    public const int MaxWindowSize = int.MaxValue;

    /// <summary>The client connection preface (RFC 9113 3.4).</summary>
    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public const byte Data = 0x0, Headers = 0x1, Priority = 0x2, RstStream = 0x3, Settings = 0x4, PushPromise = 0x5,
        Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8, Continuation = 0x9;

    public const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, PriorityFlag = 0x20;

    public const ushort SettingsHeaderTableSize = 0x1, SettingsEnablePush = 0x2, SettingsMaxConcurrentStreams = 0x3,
        SettingsInitialWindowSize = 0x4, SettingsMaxFrameSize = 0x5, SettingsMaxHeaderListSize = 0x6;

    /// <summary>Writes a frame header into <paramref name="destination"/> (9 bytes).</summary>
    public static void WriteHeader(Span<byte> destination, int length, byte type, byte flags, int streamId)
    {
        destination[0] = (byte)(length >> 16);
        destination[1] = (byte)(length >> 8);
        destination[2] = (byte)length;
        destination[3] = type;
        destination[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], streamId & int.MaxValue);
    }
}

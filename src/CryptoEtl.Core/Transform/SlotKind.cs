namespace CryptoEtl.Core.Transform;

/// <summary>What a coin property held, as far as the CSV cares.</summary>
internal enum SlotKind : byte
{
    Absent,
    Null,
    Number,
    /// <summary>A string whose raw JSON bytes need no unescaping.</summary>
    String,
    /// <summary>A string that was unescaped into the record's scratch buffer.</summary>
    Unescaped,
    /// <summary>The property had a JSON type its column cannot hold.</summary>
    Invalid,
    /// <summary>A string whose escapes do not make valid UTF-16 (a lone surrogate such as \ud800).</summary>
    Undecodable,
}

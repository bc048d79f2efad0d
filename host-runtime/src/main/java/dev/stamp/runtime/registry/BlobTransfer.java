package dev.stamp.runtime.registry;

import dev.stamp.runtime.image.Descriptor;

/** One blob of a pull or push and what happened to it. */
public record BlobTransfer(Descriptor blob, TransferListener.Status status) {}

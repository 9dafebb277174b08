/* SPDX-License-Identifier: MIT */
/*
 * The calls on file descriptors (fdio.c): read, write, readv, writev and ioctl as
 * requests of the file protocol (courier/proto/io.h) to the server behind the
 * descriptor. Each handler takes the Linux call's six arguments and returns its Linux
 * result.
 */
#pragma once

long sys_read(const long *a);
long sys_write(const long *a);
long sys_readv(const long *a);
long sys_writev(const long *a);
long sys_ioctl(const long *a);

/* A 32-bit x86 program with no library at all (it makes its system calls itself), so that it
 * builds without a 32-bit C library and runs wherever the i386 loader is installed
 * (/lib/ld-linux.so.2: Debian's libc6-i386). Prints "i386 ok" and exits 0. Position
 * independent, so that ld.so loads it (and anything LD_PRELOAD names) as it would any
 * dynamically linked program. */
    .text
    .globl _start
_start:
    call 1f
1:  pop %ecx
    add $(message - 1b), %ecx
    mov $4, %eax                     # write(1, message, length)
    mov $1, %ebx
    mov $(message_end - message), %edx
    int $0x80
    mov $1, %eax                     # exit(0)
    xor %ebx, %ebx
    int $0x80

    .section .rodata
message:
    .ascii "i386 ok\n"
message_end:

    .section .note.GNU-stack,"",@progbits

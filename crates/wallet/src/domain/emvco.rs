//! EMVCo merchant-presented QR codes (EMV QRCPS-MPM): being written.

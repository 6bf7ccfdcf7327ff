;; col2im for NHWC float32 (byte offsets into the imported memory), the adjoint of im2col: row p = (b, oy, ox) of
;; the [nb·outH·outW, fh·fw·C] patch matrix adds, for each filter tap (fy, fx) in row-major order, its C values into
;; input pixel (oy·sh − top + fy, ox·sw − left + fx) of image b when that pixel lies inside the input. dx must hold
;; zeros (or what to add to) beforehand. Walks tap by tap along each output row, so the inner loop only adds
;; strides. Assembled with wabt 1.0.39: wat2wasm col2im.wat
(module
  (import "env" "memory" (memory 1))
  (func (export "col2im") (param $p i32) (param $dx i32) (param $nb i32) (param $inH i32) (param $inW i32) (param $C i32)
    (param $outH i32) (param $outW i32) (param $fh i32) (param $fw i32) (param $sh i32) (param $sw i32) (param $top i32) (param $left i32)
    (local $b i32) (local $oy i32) (local $fy i32) (local $fx i32) (local $iy i32) (local $lo i32) (local $hi i32)
    (local $cs i32) (local $rowP i32) (local $pStride i32) (local $dStride i32) (local $src i32) (local $dst i32)
    (local $n i32) (local $c i32)
    (local.set $cs (i32.shl (local.get $C) (i32.const 2)))
    ;; one patch row: fh·fw·C floats; one step of ox moves sw pixels in dx
    (local.set $pStride (i32.mul (i32.mul (local.get $fh) (local.get $fw)) (local.get $cs)))
    (local.set $dStride (i32.mul (local.get $sw) (local.get $cs)))
    (local.set $rowP (local.get $p))
    (block $bd (loop $bn
      (br_if $bd (i32.ge_u (local.get $b) (local.get $nb)))
      (local.set $oy (i32.const 0))
      (block $yd (loop $yn
        (br_if $yd (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $fy (i32.const 0))
        (block $fyd (loop $fyn
          (br_if $fyd (i32.ge_u (local.get $fy) (local.get $fh)))
          (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $top)) (local.get $fy)))
          ;; a row outside the image (negative iy reads as a large unsigned number) receives nothing
          (if (i32.lt_u (local.get $iy) (local.get $inH))
            (then
              (local.set $fx (i32.const 0))
              (block $fxd (loop $fxn
                (br_if $fxd (i32.ge_u (local.get $fx) (local.get $fw)))
                ;; the output columns whose input column ox·sw − left + fx lies inside: lo ≤ ox < hi
                (local.set $lo (i32.const 0))
                (block $lod (loop $lon
                  (br_if $lod (i32.ge_u (local.get $lo) (local.get $outW)))
                  (br_if $lod (i32.ge_s (i32.add (i32.sub (i32.mul (local.get $lo) (local.get $sw)) (local.get $left)) (local.get $fx)) (i32.const 0)))
                  (local.set $lo (i32.add (local.get $lo) (i32.const 1)))
                  (br $lon)))
                (local.set $hi (local.get $lo))
                (block $hid (loop $hin
                  (br_if $hid (i32.ge_u (local.get $hi) (local.get $outW)))
                  (br_if $hid (i32.ge_s (i32.add (i32.sub (i32.mul (local.get $hi) (local.get $sw)) (local.get $left)) (local.get $fx)) (local.get $inW)))
                  (local.set $hi (i32.add (local.get $hi) (i32.const 1)))
                  (br $hin)))
                ;; patch (b, oy, lo), tap (fy, fx), channel 0
                (local.set $src (i32.add (local.get $rowP)
                  (i32.add (i32.mul (local.get $lo) (local.get $pStride))
                    (i32.mul (i32.add (i32.mul (local.get $fy) (local.get $fw)) (local.get $fx)) (local.get $cs)))))
                (local.set $dst (i32.add (local.get $dx)
                  (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $iy)) (local.get $inW))
                    (i32.add (i32.sub (i32.mul (local.get $lo) (local.get $sw)) (local.get $left)) (local.get $fx))) (local.get $cs))))
                (local.set $n (i32.sub (local.get $hi) (local.get $lo)))
                (block $od (loop $on
                  (br_if $od (i32.le_s (local.get $n) (i32.const 0)))
                  (local.set $c (i32.const 0))
                  (block $cd (loop $cn
                    (br_if $cd (i32.ge_u (local.get $c) (local.get $cs)))
                    (f32.store (i32.add (local.get $dst) (local.get $c))
                      (f32.add (f32.load (i32.add (local.get $dst) (local.get $c))) (f32.load (i32.add (local.get $src) (local.get $c)))))
                    (local.set $c (i32.add (local.get $c) (i32.const 4)))
                    (br $cn)))
                  (local.set $src (i32.add (local.get $src) (local.get $pStride)))
                  (local.set $dst (i32.add (local.get $dst) (local.get $dStride)))
                  (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                  (br $on)))
                (local.set $fx (i32.add (local.get $fx) (i32.const 1)))
                (br $fxn)))))
          (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
          (br $fyn)))
        (local.set $rowP (i32.add (local.get $rowP) (i32.mul (local.get $outW) (local.get $pStride))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $yn)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bn)))
  )
)
